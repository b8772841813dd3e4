#!/bin/sh
# A recipe's [dedup_docs] section drops near-duplicate documents between
# filter and dedup, as `mtprep dedup --docs` does in a pipe: the same corpus
# files as the pipe, monolingual and aligned, its counts in the manifest, the
# same bytes on 1 and 2 threads. Without the section nothing changes.
# 'docs' in [dedup] points to the section.
set -eu
. "$(dirname "$0")/lib.sh"

# 30 documents of 6 sentences, every word unique to its document, then 10
# near copies of the first 10 (one word changed): Jaccard about 0.96, over
# the default threshold 0.8.
near_copy_docs 1 > "$work/in.jsonl"

recipe() { # OUT EXTRA-SECTIONS
    printf '[build]\ninput = %s\noutput = %s\nlang = id\n[write]\ndev-ratio = 0.2\ntest-ratio = 0.2\n%s\n' \
        "$work/in.jsonl" "$1" "$2"
}
recipe "$work/built" "[dedup_docs]" > "$work/docs.recipe" # the header alone: the defaults
recipe "$work/plain" "" > "$work/plain.recipe"

"$MTPREP" build -q "$work/docs.recipe"
"$MTPREP" ingest -q "$work/in.jsonl" | "$MTPREP" normalize -q | "$MTPREP" segment -q |
    "$MTPREP" filter -q | "$MTPREP" dedup -q --docs | "$MTPREP" dedup -q |
    "$MTPREP" write -q --out "$work/piped" --lang id --dev-ratio 0.2 --test-ratio 0.2
for f in train.id.zst dev.id.zst test.id.zst train.meta.tsv.zst; do
    cmp "$work/built/$f" "$work/piped/$f" || fail "$f differs between build and the pipe"
done
lines() { for f in train dev test; do zstdcat "$1/$f.id.zst"; done | wc -l; }
[ "$(lines "$work/built")" -eq 180 ] || fail "expected 180 sentences, got $(lines "$work/built")"
grep -q '"documents_dropped": 10' "$work/built/MANIFEST.json" || fail "manifest: no documents_dropped 10"
grep -q '"dropped.near_duplicate_doc": 60' "$work/built/MANIFEST.json" ||
    fail "manifest: no dropped.near_duplicate_doc 60"

# Without the section every document stays (dedup drops only the 50 repeated
# sentences of the near copies), and no dedup_docs counts.
"$MTPREP" build -q "$work/plain.recipe"
[ "$(lines "$work/plain")" -eq 190 ] || fail "without [dedup_docs]: $(lines "$work/plain") sentences"
! grep -q 'dedup_docs' "$work/plain/MANIFEST.json" || fail "manifest names dedup_docs without the section"

# A key in the section is dedup --docs's option: at 0.99 the copies stay.
recipe "$work/strict" "[dedup_docs]
threshold = 0.99" > "$work/strict.recipe"
"$MTPREP" build -q "$work/strict.recipe"
grep -A3 '"dedup_docs": {' "$work/strict/MANIFEST.json" | grep -q '"out": 240' &&
    ! grep -q '"documents_dropped"' "$work/strict/MANIFEST.json" || fail "threshold 0.99 dropped documents"

# Threads: the same bytes, manifest included.
"$MTPREP" build -q --threads 2 --out "$work/threads" "$work/docs.recipe"
same_corpus "$work/built" "$work/threads" "--threads 2"

# A misplaced option is refused, naming the section (sharded runs:
# tests/e2e/shard_dedup_docs.sh).
recipe "$work/wrong" "[dedup]
docs =" > "$work/wrong.recipe"
expect_exit 2 "$MTPREP" build "$work/wrong.recipe"
grep -q "\[dedup_docs\]" "$work/stderr" || fail "docs in [dedup]: $(cat "$work/stderr")"

# Aligned: the sample pairs plus a near copy of one article on both sides
# (one word changed on the source side); the pairs of the copy go.
near_copy_pairs "$work/al" "$work/al-built" > "$work/aligned.recipe"
"$MTPREP" build -q "$work/aligned.recipe"
for lang in id en; do
    "$MTPREP" ingest -q --on-error skip "$work/al/$lang" | "$MTPREP" normalize -q |
        "$MTPREP" segment -q --lang "$lang" > "$work/$lang.seg"
done
"$MTPREP" align -q --src-lang id --tgt-lang en "$work/id.seg" "$work/en.seg" | "$MTPREP" filter -q |
    "$MTPREP" dedup -q --docs | "$MTPREP" dedup -q |
    "$MTPREP" write -q --out "$work/al-piped" --lang id --tgt-lang en --dev-ratio 0.15 --test-ratio 0.15
for f in train.id.zst train.en.zst dev.id.zst dev.en.zst test.id.zst test.en.zst train.meta.tsv.zst; do
    cmp "$work/al-built/$f" "$work/al-piped/$f" || fail "aligned: $f differs between build and the pipe"
done
grep -q '"documents_dropped": 1' "$work/al-built/MANIFEST.json" ||
    fail "aligned: the near copy was not dropped"
"$MTPREP" build -q --threads 2 --out "$work/al-threads" "$work/aligned.recipe"
same_corpus "$work/al-built" "$work/al-threads" "aligned, --threads 2"
pass
