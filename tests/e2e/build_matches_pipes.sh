#!/bin/sh
# `mtprep build RECIPE` and the same stages in a pipe write identical corpus
# files; two runs, other locales and another file creation order change nothing.
set -eu
. "$(dirname "$0")/lib.sh"

sample=$MTPREP_SOURCE_DIR/corpora/sample/id
[ -d "$sample" ] || fail "no sample corpus in $sample"

cat > "$work/r.recipe" <<RECIPE
[build]
input = $sample
output = $work/built
lang = id
[write]
dev-ratio = 0.2
test-ratio = 0.2
RECIPE

"$MTPREP" build -q "$work/r.recipe"
"$MTPREP" ingest -q "$sample" | "$MTPREP" normalize -q | "$MTPREP" segment -q |
    "$MTPREP" filter -q | "$MTPREP" dedup -q |
    "$MTPREP" write -q --out "$work/piped" --lang id --dev-ratio 0.2 --test-ratio 0.2

for f in train.id.zst dev.id.zst test.id.zst train.meta.tsv.zst; do
    [ -f "$work/built/$f" ] || fail "build wrote no $f"
    cmp "$work/built/$f" "$work/piped/$f" || fail "$f differs between build and pipe"
done
[ "$(zstdcat "$work/built/train.id.zst" | wc -l)" -gt 20 ] || fail "train split suspiciously small"

# The same again: byte-identical, every file, manifest included.
"$MTPREP" build -q --out "$work/again" "$work/r.recipe"
for f in $(cd "$work/built" && ls); do
    cmp "$work/built/$f" "$work/again/$f" || fail "$f differs between two identical runs"
done

# Other locale and time zone, and the input files created in reverse order.
mkdir -p "$work/shuffled"
for f in $(cd "$sample" && find . -type f | sort -r); do
    mkdir -p "$work/shuffled/$(dirname "$f")"
    cp "$sample/$f" "$work/shuffled/$f"
done
sed "s|$sample|$work/shuffled|; s|$work/built|$work/other|" "$work/r.recipe" > "$work/r2.recipe"
LC_ALL=C.UTF-8 TZ=Asia/Jakarta "$MTPREP" build -q "$work/r2.recipe"
for f in train.id.zst dev.id.zst test.id.zst train.meta.tsv.zst; do
    cmp "$work/built/$f" "$work/other/$f" || fail "$f depends on locale or file order"
done
pass
