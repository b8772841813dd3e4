#!/bin/sh
# The bilingual pipeline on the sample corpus: ingest corpora/sample/id and
# corpora/sample/en, normalize, segment each in its language, align, filter
# the pairs, dedup, and write a line-aligned corpus. The pairs must equal the
# reviewed golden file, and the counts must show what the English side does
# on purpose: one Indonesian article without a counterpart (one_sided_doc,
# its 10 sentences), one Indonesian sentence left untranslated
# (unaligned_src), one English sentence added (unaligned_tgt), two merges
# (2-1 beads), a translator's slip in a number (number_mismatch: "180
# pedagang" against "190 traders"; the 12-hour times "3 p.m." against "15.00
# WIB" must pass), and a repeated sentence (duplicate_exact).
set -eu
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
sample=$MTPREP_SOURCE_DIR/corpora/sample

# side LANG: the segmented records of one language of the sample corpus.
side() {
    "$MTPREP" ingest -q "$sample/$1" | "$MTPREP" normalize -q |
        "$MTPREP" segment -q --lang "$1" > "$work/$1.seg"
}
side id
side en

"$MTPREP" align -q --src-lang id --tgt-lang en --counts "$work/align.json" \
    "$work/id.seg" "$work/en.seg" > "$work/aligned"
"$MTPREP" filter -q --counts "$work/filter.json" "$work/aligned" > "$work/filtered"
"$MTPREP" dedup -q --counts "$work/dedup.json" "$work/filtered" > "$work/pairs"
diff "$here/expected/aligned_pipeline.out" "$work/pairs" || fail "pairs differ from the golden file"

# count FILE NAME VALUE: the counts JSON FILE holds "NAME": VALUE.
count() {
    grep -q "\"$2\": $3\$\|\"$2\": $3," "$work/$1" || {
        cat "$work/$1" >&2
        fail "$1: expected \"$2\": $3"
    }
}
count align.json dropped.one_sided_doc 10
count align.json dropped.unaligned_src 1
count align.json dropped.unaligned_tgt 1
count filter.json in 82
count filter.json dropped.number_mismatch 1
count filter.json out 81
count dedup.json dropped.duplicate_exact 2
count dedup.json out 79
[ "$(cut -f2 "$work/pairs" | grep -c '+')" -eq 3 ] || fail "expected two 2-1 beads and one 2-2"
! cut -f1 "$work/pairs" | grep -q 'salinan' || fail "the one-sided document was paired"
grep -q '3 p\.m\.' "$work/pairs" || fail "the pair with 15.00 WIB = 3 p.m. was dropped"

# The corpus: each split's source and target files have equal line counts.
"$MTPREP" write -q --out "$work/corpus" --lang id --tgt-lang en "$work/pairs"
(cd "$work/corpus" && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS"
if command -v zstd > /dev/null 2>&1; then
    total=0
    for split in train dev test; do
        [ -e "$work/corpus/$split.id.zst" ] || continue
        n_id=$(zstd -dcq "$work/corpus/$split.id.zst" | wc -l)
        n_en=$(zstd -dcq "$work/corpus/$split.en.zst" | wc -l)
        [ "$n_id" -eq "$n_en" ] || fail "$split: $n_id id lines, $n_en en lines"
        total=$((total + n_id))
    done
    [ "$(zstd -dcq "$work/corpus/train.id.zst" | wc -l)" -gt 0 ] || fail "empty train split"
    [ "$total" -le 79 ] || fail "more lines ($total) than pairs"
    zstd -dcq "$work/corpus/train.id.zst" | head -n 1 > "$work/first.id"
    zstd -dcq "$work/corpus/train.en.zst" | head -n 1 > "$work/first.en"
    grep -qF "$(cat "$work/first.id")	$(cat "$work/first.en")" "$work/pairs" ||
        fail "line 1 of train.id.zst and train.en.zst are not one pair"
fi
pass
