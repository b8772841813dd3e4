#!/bin/sh
# A sharded run of an aligned recipe over real news (the shared id-en
# development set news-valid.mix, with merged and one-sided sentences;
# skipped when absent): each document's Indonesian and English sides become
# id/NAME.txt and en/NAME.txt, and the corpus equals `mtprep build`'s byte
# for byte for N = 1, 2, 4, 7 and P = 1, 3, tasks in a scrambled order.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/id-en-dev/news-valid.mix/docs

docs=$MTPREP_SHARED_DIR/corpora/id-en-dev/news-valid.mix/docs
mkdir "$work/id" "$work/en"
for f in "$docs"/*.id; do
    name=$(basename "$f" .id)
    cp "$f" "$work/id/$name.txt"
    [ ! -e "$docs/$name.en" ] || cp "$docs/$name.en" "$work/en/$name.txt"
done
cat > "$work/r.recipe" <<RECIPE
[build]
input = $work/id
tgt-input = $work/en
output = $work/ref

[align]
dict = $MTPREP_SOURCE_DIR/corpora/dict.id-en.tsv

[dedup]
key = loose
RECIPE
"$MTPREP" build -q "$work/r.recipe"
[ "$(zstdcat "$work/ref/train.id.zst" | wc -l)" -gt 500 ] || fail "few pairs in the reference"

for n in 1 2 4 7; do
    for p in 1 3; do
        run=$work/run-$n-$p
        out=$work/out-$n-$p
        "$MTPREP" plan -q --shards "$n" --partitions "$p" --out "$out" --run "$run" "$work/r.recipe"
        k=0
        while [ "$k" -lt "$n" ]; do "$MTPREP" task -q map "$run" $(((k * 3) % n)); k=$((k + 1)); done
        [ "$("$MTPREP" status --missing map "$run")" = "" ] || {
            k=$n
            while [ "$k" -gt 0 ]; do k=$((k - 1)); "$MTPREP" task -q map "$run" "$k"; done
        }
        "$MTPREP" task -q align "$run" 0
        k=$p
        while [ "$k" -gt 0 ]; do k=$((k - 1)); "$MTPREP" task -q reduce "$run" "$k"; done
        for k in $("$MTPREP" status --missing write "$run" | sort -r); do
            "$MTPREP" task -q write "$run" "$k"
        done
        "$MTPREP" task -q assemble "$run" 0
        same_corpus "$work/ref" "$out"
    done
done
pass
