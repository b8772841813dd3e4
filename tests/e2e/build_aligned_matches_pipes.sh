#!/bin/sh
# `mtprep build corpora/recipes/sample-id-en.recipe` (two input roots, one
# per language) and the same stages in pipes with the same options write
# identical corpus files; two runs write identical directories, manifest
# included; --threads 2 (small blocks) changes nothing; the spool directory
# is gone afterwards and the manifest names every stage's counts apart.
set -eu
. "$(dirname "$0")/lib.sh"

src=$MTPREP_SOURCE_DIR
recipe=$src/corpora/recipes/sample-id-en.recipe
[ -f "$recipe" ] || fail "no recipe $recipe"
command -v zstdcat > /dev/null 2>&1 || {
    echo "SKIP: zstdcat not installed"
    exit 77
}

# The recipe's paths are relative to the repository root.
(cd "$src" && "$MTPREP" build -q --out "$work/built" "$recipe")

# side LANG: one language's segmented records, as the recipe configures them.
side() {
    "$MTPREP" ingest -q --on-error skip "$src/corpora/sample/$1" |
        "$MTPREP" normalize -q --form nfc | "$MTPREP" segment -q --lang "$1" > "$work/$1.seg"
}
side id
side en
"$MTPREP" align -q --src-lang id --tgt-lang en --min-score 0.1 "$work/id.seg" "$work/en.seg" |
    "$MTPREP" filter -q --min-chars 3 | "$MTPREP" dedup -q --key exact |
    "$MTPREP" write -q --out "$work/piped" --lang id --tgt-lang en \
        --dev-ratio 0.15 --test-ratio 0.15 --level 3

corpus_files="train.id.zst train.en.zst dev.id.zst dev.en.zst test.id.zst test.en.zst
train.meta.tsv.zst"
for f in $corpus_files; do
    [ -f "$work/built/$f" ] || fail "build wrote no $f"
    cmp "$work/built/$f" "$work/piped/$f" || fail "$f differs between build and pipe"
done
for split in train dev test; do
    n_id=$(zstdcat "$work/built/$split.id.zst" | wc -l)
    n_en=$(zstdcat "$work/built/$split.en.zst" | wc -l)
    [ "$n_id" -eq "$n_en" ] || fail "$split: $n_id id lines, $n_en en lines"
    [ "$n_id" -gt 0 ] || fail "$split split is empty"
done
"$MTPREP" verify "$work/built" > /dev/null || fail "verify failed"

# Every stage's counts under its own name; the sides' numbers are the pipes'.
for name in ingest.id normalize.id segment.id ingest.en normalize.en segment.en \
    align filter dedup write; do
    grep -q "\"$name\": {" "$work/built/MANIFEST.json" || fail "no \"$name\" counts in the manifest"
done
for d in "$work"/.mtprep-spool-*; do
    [ ! -e "$d" ] || fail "spool directory $d left behind"
done

# Twice: every file the same, MANIFEST.json and SHA256SUMS included.
(cd "$src" && "$MTPREP" build -q --out "$work/again" "$recipe")
(cd "$src" && "$MTPREP" build -q --threads 2 --block-records 7 --out "$work/threads" "$recipe")
for f in $(cd "$work/built" && ls); do
    cmp "$work/built/$f" "$work/again/$f" || fail "$f differs between two identical runs"
    cmp "$work/built/$f" "$work/threads/$f" || fail "$f differs with --threads 2"
done
pass
