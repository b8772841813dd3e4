#!/bin/sh
# mtprep --threads benchmark (not a test): `mtprep build` over one input with
# --threads 1 and --threads 2 (or the counts given), runs interleaved, ROUNDS
# times; prints medians of wall-clock MB/s, CPU seconds (user+system), peak
# RSS, and the speed-up over one thread. Also checks that every corpus file
# is byte-identical across thread counts.
#
#   tools/bench_threads.sh [INPUT.jsonl] [ROUNDS] [THREAD COUNTS...]
#
# INPUT defaults to ../shared/corpora/news-id/articles.jsonl, ROUNDS to 5,
# the thread counts to "1 2". MTPREP names the binary (default: a Release
# build in build-bench/). Other processes on the machine add noise:
# compare medians, and read the CPU seconds as well as the wall time.
set -eu
cd "$(dirname "$0")/.."

input=${1:-../shared/corpora/news-id/articles.jsonl}
rounds=${2:-5}
if [ "$#" -ge 2 ]; then shift 2; else shift "$#"; fi
counts=${*:-1 2}
if [ ! -r "$input" ]; then
    echo "bench_threads: $input not found; nothing measured" >&2
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
bench=bench_threads
. tools/bench_lib.sh
bench_binary

bytes=$(wc -c < "$input")
bench_recipe "$input"

# measure N: one build with N threads; appends "wall cpu maxrss_kb" to $work/tN.
measure() {
    rm -rf "$work/out.$1"
    bench_measure "t$1" "$MTPREP" build -q --threads "$1" --out "$work/out.$1" "$work/bench.recipe"
}

i=0
while [ "$i" -lt "$rounds" ]; do
    for n in $counts; do
        measure "$n"
    done
    i=$((i + 1))
done

first=$(echo "$counts" | awk '{ print $1 }')
for n in $counts; do
    bench_same_corpus "$work/out.$first" "$work/out.$n" "--threads $first and --threads $n"
done

echo "input: $input ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')), $rounds rounds, medians; $(nproc) CPUs"
base=$(bench_median "$work/t$first" 1)
for n in $counts; do
    wall=$(bench_median "$work/t$n" 1)
    cpu=$(bench_median "$work/t$n" 2)
    rss=$(bench_median "$work/t$n" 3)
    awk -v n="$n" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" -v base="$base" 'BEGIN {
        printf "build --threads %-3s %7.2f MB/s wall  %6.2f s wall  %6.2f CPU-s  peak RSS %6.1f MB  speed-up %.2fx\n",
            n, b / 1e6 / w, w, c, r / 1024, base / w }'
done
echo "corpus files identical across thread counts: yes"
