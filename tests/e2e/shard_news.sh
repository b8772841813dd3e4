#!/bin/sh
# Sharded runs over news-id (one big JSONL file, cut between lines into
# shards) write the corpus of `mtprep build`, with the loose dedup key, for
# several N and P and assemble thread counts; and a map task killed mid-way
# leaves no marker, and re-running it gives the same bytes.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/news-id/articles.jsonl

head -n 3000 "$MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl" > "$work/news.jsonl"
cat > "$work/news.recipe" <<RECIPE
[build]
input = $work/news.jsonl
output = $work/ref
lang = id
[dedup]
key = loose
[write]
dev-ratio = 0.05
test-ratio = 0.05
RECIPE
"$MTPREP" build -q "$work/news.recipe"

# run_all RUN N P: every task, maps and writes last rank first; map runs on
# P worker threads and assemble compresses on P zstd threads (the bytes must
# not change).
run_all() {
    k=$(($2 - 1))
    while [ "$k" -ge 0 ]; do "$MTPREP" task -q --threads "$3" map "$1" "$k"; k=$((k - 1)); done
    k=$(($3 - 1))
    while [ "$k" -ge 0 ]; do "$MTPREP" task -q reduce "$1" "$k"; k=$((k - 1)); done
    k=$(($2 - 1))
    while [ "$k" -ge 0 ]; do "$MTPREP" task -q write "$1" "$k"; k=$((k - 1)); done
    "$MTPREP" task -q --threads "$3" assemble "$1" 0
}

for np in "1 1" "4 3" "7 2"; do
    set -- $np
    "$MTPREP" plan -q --shards "$1" --partitions "$2" --out "$work/out-$1" --run "$work/run-$1" \
        "$work/news.recipe"
    run_all "$work/run-$1" "$1" "$2" || fail "N=$1 P=$2: a task failed"
    same_corpus "$work/ref" "$work/out-$1"
done
# The one file was cut into 7 pieces, each of about a seventh of the bytes.
[ "$(grep -c '"shard":' "$work/run-7/plan.json")" -eq 7 ] || fail "news.jsonl not cut into 7 pieces"
dup=$(zstdcat "$work/ref/train.id.zst" | wc -l)
[ "$dup" -gt 10000 ] || fail "train split too small ($dup lines)"

# Kill a map task mid-way (SIGKILL: no handler runs), then run what is missing.
run=$work/run-kill
"$MTPREP" plan -q --shards 2 --partitions 2 --out "$work/out-kill" --run "$run" "$work/news.recipe"
"$MTPREP" task -q map "$run" 0 &
pid=$!
sleep 0.2
kill -9 "$pid" 2> /dev/null || true
wait "$pid" 2> /dev/null || true
if [ ! -e "$run/done/map/00000" ]; then
    [ "$("$MTPREP" status --missing map "$run")" = "$(printf '0\n1')" ] || fail "killed map not missing"
fi
for k in $("$MTPREP" status --missing map "$run"); do "$MTPREP" task -q map "$run" "$k"; done
run_all "$run" 2 2 || fail "retry after the kill failed"
same_corpus "$work/ref" "$work/out-kill"
pass
