#!/bin/sh
# A sharded run of the aligned sample recipe (id-en) writes the corpus of
# `mtprep build` byte for byte -- every file, MANIFEST.json and SHA256SUMS
# included -- for N = 1, 2, 4, 7 shards and P = 1, 3 partitions, the tasks
# of each stage in a scrambled order, map on P worker threads and assemble
# on N zstd threads; status lists the align stage; each pair lands in the
# part of the map shard its source document came from.
set -eu
. "$(dirname "$0")/lib.sh"

recipe=corpora/recipes/sample-id-en.recipe
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
            for k in $(ranks "$n" odd); do "$MTPREP" task -q --threads "$p" map "$run" "$k"; done
            "$MTPREP" task -q align "$run" 0
            for k in $(ranks "$p" rev); do "$MTPREP" task -q reduce "$run" "$k"; done
            for k in $(ranks "$n" rev); do "$MTPREP" task -q write "$run" "$k"; done
            "$MTPREP" task -q --threads "$n" assemble "$run" 0
        ) || fail "N=$n P=$p: a task failed"
        same_corpus "$work/ref" "$out"
        "$MTPREP" status "$run" > /dev/null || fail "N=$n P=$p: status says incomplete"
    done
done
"$MTPREP" verify "$work/out-7-3" > /dev/null || fail "the 7-shard corpus does not verify"

# status: five stages, align one rank.
expect_exit 0 "$MTPREP" status "$work/run-2-3"
printf 'map 2/2\nalign 1/1\nreduce 3/3\nwrite 2/2\nassemble 1/1\n' > "$work/want"
cmp "$work/stdout" "$work/want" || fail "status of a finished aligned run: $(cat "$work/stdout")"
expect_exit 0 "$MTPREP" status --missing align "$work/run-2-3"
[ ! -s "$work/stdout" ] || fail "--missing align of a done align"

# Parts: with 7 shards several hold pairs, and every pair's doc_id is one of
# the source documents of the map shard with its number.
run=$work/run-7-3
nonempty=0
k=0
while [ "$k" -lt 7 ]; do
    part=$run/align/shard-0000$k.rec.zst
    zstdcat "$part" | cut -f1 | sort -u > "$work/part-docs"
    zstdcat "$run/map/shard-0000$k.src.rec.zst" | cut -f1 | sort -u > "$work/map-docs"
    [ -z "$(comm -23 "$work/part-docs" "$work/map-docs")" ] ||
        fail "part $k holds pairs of documents from another shard"
    [ -s "$work/part-docs" ] && nonempty=$((nonempty + 1))
    k=$((k + 1))
done
[ "$nonempty" -ge 4 ] || fail "only $nonempty of 7 parts hold pairs"
pass
