#!/bin/sh
# A sharded run of a monolingual recipe with [dedup_docs] writes the corpus of
# `mtprep build` byte for byte, MANIFEST.json (with dedup_docs's counts) and
# SHA256SUMS included: map on each shard, then align 0 runs dedup --docs over
# every shard's records in input order and splits them back by shard with
# their keys, then reduce, write and assemble as usual; for N = 1, 2, 3, 5
# shards and P = 1, 2 partitions, ranks in scrambled order; near copies in
# another shard than their original go. Status lists align 1/1; map writes
# no keys. An aligned recipe's align 0 runs dedup --docs after its filter,
# with the same bytes as build.
set -eu
. "$(dirname "$0")/lib.sh"

# 30 documents of 6 sentences, then 10 near copies of the first 10 (one word
# changed), shuffled by a fixed permutation so originals and copies fall into
# different shards.
near_copy_docs 17 > "$work/in.jsonl"
printf '[build]\ninput = %s\noutput = %s\nlang = id\n[dedup_docs]\n[write]\ndev-ratio = 0.2\ntest-ratio = 0.2\n' \
    "$work/in.jsonl" "$work/ref" > "$work/docs.recipe"
"$MTPREP" build -q "$work/docs.recipe"
grep -q '"documents_dropped": 10' "$work/ref/MANIFEST.json" || fail "build dropped no 10 documents"

for n in 1 2 3 5; do
    for p in 1 2; do
        run=$work/run-$n-$p
        out=$work/out-$n-$p
        "$MTPREP" plan -q --shards "$n" --partitions "$p" --out "$out" --run "$run" "$work/docs.recipe"
        (
            cd "$work"
            for k in $(ranks "$n" odd); do "$MTPREP" task -q map "$run" "$k"; done
            "$MTPREP" task -q align "$run" 0
            for k in $(ranks "$p" rev); do "$MTPREP" task -q reduce "$run" "$k"; done
            for k in $(ranks "$n" rev); do "$MTPREP" task -q write "$run" "$k"; done
            "$MTPREP" task -q assemble "$run" 0
        ) || fail "N=$n P=$p: a task failed"
        same_corpus "$work/ref" "$out"
    done
done
[ -z "$(ls "$work/run-3-2/keys/part-000" | grep -v '^shard-0000[0-2].keys$')" ] ||
    fail "unexpected files among the keys"
expect_exit 0 "$MTPREP" status "$work/run-3-2"
printf 'map 3/3\nalign 1/1\nreduce 2/2\nwrite 3/3\nassemble 1/1\n' > "$work/want"
cmp "$work/stdout" "$work/want" || fail "status: $(cat "$work/stdout")"

# news-id (when ../shared is here): 4 shards, 3 partitions, map and assemble
# on 2 threads; about 1,300 of its documents are near copies.
news=$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl
if [ -r "$news" ]; then
    printf '[build]\ninput = %s\noutput = %s\nlang = id\n[dedup_docs]\n' "$news" "$work/news-ref" \
        > "$work/news.recipe"
    "$MTPREP" build -q "$work/news.recipe"
    "$MTPREP" plan -q --shards 4 --partitions 3 --out "$work/news-out" --run "$work/news-run" \
        "$work/news.recipe"
    (
        cd "$work"
        for k in 3 1 0 2; do "$MTPREP" task -q --threads 2 map "$work/news-run" "$k"; done
        "$MTPREP" task -q align "$work/news-run" 0
        for p in 2 0 1; do "$MTPREP" task -q reduce "$work/news-run" "$p"; done
        for k in 0 1 2 3; do "$MTPREP" task -q write "$work/news-run" "$k"; done
        "$MTPREP" task -q --threads 2 assemble "$work/news-run" 0
    ) || fail "news-id: a task failed"
    same_corpus "$work/news-ref" "$work/news-out"
    dropped=$(sed -n 's/.*"documents_dropped": \([0-9]*\).*/\1/p' "$work/news-out/MANIFEST.json")
    [ "${dropped:-0}" -gt 1000 ] || fail "news-id: only ${dropped:-0} documents dropped"
fi

# Reduce waits for align; align for every map.
"$MTPREP" plan -q --shards 2 --run "$work/early" --out "$work/early-out" "$work/docs.recipe"
expect_exit 1 "$MTPREP" task align "$work/early" 0
grep -q 'align needs every map task done first' "$work/stderr" || fail "align before map: $(cat "$work/stderr")"
(cd "$work" && "$MTPREP" task -q map "$work/early" 0 && "$MTPREP" task -q map "$work/early" 1)
expect_exit 1 "$MTPREP" task reduce "$work/early" 0
grep -q 'reduce needs every align task done first' "$work/stderr" ||
    fail "reduce before align: $(cat "$work/stderr")"

# Aligned: the sample pairs plus a near copy of one article on both sides;
# align 0 runs dedup --docs after its filter, as build does after filter.
near_copy_pairs "$work/al" "$work/al-ref" > "$work/aligned.recipe"
"$MTPREP" build -q "$work/aligned.recipe"
grep -q '"documents_dropped": 1' "$work/al-ref/MANIFEST.json" || fail "aligned build dropped no copy"
for n in 1 2 4; do
    run=$work/al-run-$n
    out=$work/al-out-$n
    "$MTPREP" plan -q --shards "$n" --partitions 2 --out "$out" --run "$run" "$work/aligned.recipe"
    (
        cd "$work"
        for k in $(ranks "$n" odd); do "$MTPREP" task -q map "$run" "$k"; done
        "$MTPREP" task -q align "$run" 0
        for k in 1 0; do "$MTPREP" task -q reduce "$run" "$k"; done
        for k in $(ranks "$n" rev); do "$MTPREP" task -q write "$run" "$k"; done
        "$MTPREP" task -q assemble "$run" 0
    ) || fail "aligned N=$n: a task failed"
    same_corpus "$work/al-ref" "$out"
done
[ -s "$work/al-run-2/align/dedup_docs.json" ] || fail "aligned: no dedup_docs counts from align"
pass
