#!/bin/sh
# A recipe's [dedup_docs] section drops near-duplicate documents between
# filter and dedup, as `mtprep dedup --docs` does in a pipe: the same corpus
# files as the pipe, its counts in the manifest, the same bytes on 1 and 2
# threads. Without the section nothing changes. Where it cannot run yet it is
# refused, naming what to do: a sharded plan, an aligned recipe; and 'docs'
# in [dedup] points to the section.
set -eu
. "$(dirname "$0")/lib.sh"

# 30 documents of 6 sentences, every word unique to its document, then 10
# near copies of the first 10 (one word changed): Jaccard about 0.96, over
# the default threshold 0.8.
awk 'function letters(n,    s) {
        s = ""
        do { s = substr("abcdefghij", n % 10 + 1, 1) s; n = int(n / 10) } while (n > 0)
        return s
    }
    function sentence(doc, k, change,    w, t, word) {
        t = ""
        for (w = 0; w < 8; w++) {
            word = "kata" letters(doc) "z" letters(k * 8 + w)
            if (change && k == 3 && w == 0) word = "berubah"
            t = t (w ? " " : "") word
        }
        return toupper(substr(t, 1, 1)) substr(t, 2) "."
    }
    BEGIN {
        for (d = 0; d < 40; d++) {
            text = ""
            for (k = 0; k < 6; k++) text = text (k ? " " : "") sentence(d < 30 ? d : d - 30, k, d >= 30)
            printf "{\"id\": \"doc%03d\", \"text\": \"%s\"}\n", d, text
        }
    }' > "$work/in.jsonl"

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

# Refusals, each naming the way out.
expect_exit 2 "$MTPREP" plan --run "$work/run" "$work/docs.recipe"
grep -q 'dedup_docs.*mtprep build' "$work/stderr" || fail "plan: $(cat "$work/stderr")"
[ ! -e "$work/run/plan.json" ] || fail "a refused plan was written"
printf '[build]\ninput = %s\ntgt-input = %s\noutput = %s\n[dedup_docs]\n' \
    "$work/in.jsonl" "$work/in.jsonl" "$work/al" > "$work/aligned.recipe"
expect_exit 2 "$MTPREP" build "$work/aligned.recipe"
grep -q 'dedup_docs' "$work/stderr" || fail "aligned: $(cat "$work/stderr")"
recipe "$work/wrong" "[dedup]
docs =" > "$work/wrong.recipe"
expect_exit 2 "$MTPREP" build "$work/wrong.recipe"
grep -q "\[dedup_docs\]" "$work/stderr" || fail "docs in [dedup]: $(cat "$work/stderr")"
pass
