#!/bin/sh
# A sharded run (mtprep plan, then every task) writes the corpus of
# `mtprep build` byte for byte -- every file, MANIFEST.json and SHA256SUMS
# included -- for N = 1, 2, 4, 7 shards and P = 1, 3 partitions, with the
# tasks of each stage run in a scrambled order, from another directory than
# the one the plan was made in (the recipe's relative paths still hold), map
# on P worker threads and assemble compressing on N zstd threads.
set -eu
. "$(dirname "$0")/lib.sh"

recipe=corpora/recipes/sample-id.recipe
cd "$MTPREP_SOURCE_DIR"
[ -r "$recipe" ] || fail "no $recipe"
"$MTPREP" build -q --out "$work/ref" "$recipe"

for n in 1 2 4 7; do
    for p in 1 3; do
        run=$work/run-$n-$p
        out=$work/out-$n-$p
        "$MTPREP" plan -q --shards "$n" --partitions "$p" --out "$out" --run "$run" "$recipe"
        (
            cd "$work" # tasks go to the plan's directory themselves
            for k in $(ranks "$n" rev); do
                "$MTPREP" task -q --threads "$p" map "$run" "$k"
            done
            for k in $(ranks "$p" odd); do "$MTPREP" task -q reduce "$run" "$k"; done
            for k in $(ranks "$n" odd); do "$MTPREP" task -q write "$run" "$k"; done
            "$MTPREP" task -q --threads "$n" assemble "$run" 0
        ) || fail "N=$n P=$p: a task failed"
        same_corpus "$work/ref" "$out"
        "$MTPREP" status "$run" > /dev/null || fail "N=$n P=$p: status says incomplete"
    done
done
"$MTPREP" verify "$work/out-7-3" > /dev/null || fail "the 7-shard corpus does not verify"

# Shards really differ: with 7, several map outputs hold records.
nonempty=0
for f in "$work"/run-7-3/map/shard-*.rec.zst; do
    [ "$(zstdcat "$f" | wc -l)" -gt 0 ] && nonempty=$((nonempty + 1))
done
[ "$nonempty" -ge 4 ] || fail "only $nonempty of 7 shards hold records"
pass
