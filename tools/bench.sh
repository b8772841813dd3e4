#!/bin/sh
# mtprep benchmark (not a test): the whole monolingual chain against zstd -3
# over the same input, interleaved, ROUNDS times; prints medians of wall-clock
# MB/s, MB per CPU-second, the CPU ratio chain/zstd and peak RSS.
#
#   tools/bench.sh [INPUT.jsonl] [ROUNDS]
#
# INPUT defaults to ../shared/corpora/news-id/articles.jsonl. MTPREP names the
# binary (default: a Release build in build-bench/). CPU time is user+system
# of every process of the command, from GNU time.
set -eu
cd "$(dirname "$0")/.."

input=${1:-../shared/corpora/news-id/articles.jsonl}
rounds=${2:-5}
if [ ! -r "$input" ]; then
    echo "bench: $input not found; nothing measured" >&2
    exit 77
fi
bench=bench
. tools/bench_lib.sh
bench_binary
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

bytes=$(wc -c < "$input")
bench_recipe "$input"

i=0
while [ "$i" -lt "$rounds" ]; do
    bench_measure zstd zstd -3 -T1 -q -c "$input"
    bench_measure chain "$MTPREP" build -q "$work/bench.recipe"
    bench_measure pipes sh -c "'$MTPREP' ingest -q '$input' | '$MTPREP' normalize -q | '$MTPREP' segment -q | '$MTPREP' filter -q | '$MTPREP' dedup -q | '$MTPREP' write -q --out '$work/piped' --lang id"
    i=$((i + 1))
done

echo "input: $input ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')), $rounds rounds, medians"
bench_report zstd "zstd -3 -T1 (baseline)" "$bytes"
bench_report chain "mtprep build (one process)" "$bytes"
bench_report pipes "mtprep stages in a pipe (6 procs)" "$bytes"
zcpu=$(bench_median "$work/zstd" 2)
ccpu=$(bench_median "$work/chain" 2)
pcpu=$(bench_median "$work/pipes" 2)
awk -v z="$zcpu" -v c="$ccpu" -v p="$pcpu" 'BEGIN {
    printf "CPU ratio vs zstd -3: build %.2fx, pipe %.2fx (issue target: <= 3x, goal 1.5x)\n", c / z, p / z }'
