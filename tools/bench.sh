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
if [ -z "${MTPREP:-}" ]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    cmake --build build-bench -j"$(nproc)" >/dev/null
    MTPREP=$PWD/build-bench/mtprep
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

bytes=$(wc -c < "$input")
cat > "$work/bench.recipe" <<RECIPE
[build]
input = $input
output = $work/corpus
lang = id
RECIPE

# measure NAME COMMAND...: appends "wall cpu maxrss_kb" to $work/NAME.
measure() {
    name=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
        echo "bench: $name failed:" >&2
        cat "$work/stderr" >&2
        exit 1
    }
    awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$work/time" >> "$work/$name"
}

median() { # column of file
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

i=0
while [ "$i" -lt "$rounds" ]; do
    measure zstd zstd -3 -T1 -q -c "$input"
    measure chain "$MTPREP" build -q "$work/bench.recipe"
    measure pipes sh -c "'$MTPREP' ingest -q '$input' | '$MTPREP' normalize -q | '$MTPREP' segment -q | '$MTPREP' filter -q | '$MTPREP' dedup -q | '$MTPREP' write -q --out '$work/piped' --lang id"
    i=$((i + 1))
done

report() { # name label
    wall=$(median "$work/$1" 1)
    cpu=$(median "$work/$1" 2)
    rss=$(median "$work/$1" 3)
    awk -v l="$2" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" 'BEGIN {
        printf "%-34s %8.1f MB/s wall %8.1f MB/CPU-s  peak RSS %6.1f MB\n", l, b / 1e6 / w, b / 1e6 / c, r / 1024 }'
}

echo "input: $input ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')), $rounds rounds, medians"
report zstd "zstd -3 -T1 (baseline)"
report chain "mtprep build (one process)"
report pipes "mtprep stages in a pipe (6 procs)"
zcpu=$(median "$work/zstd" 2)
ccpu=$(median "$work/chain" 2)
pcpu=$(median "$work/pipes" 2)
awk -v z="$zcpu" -v c="$ccpu" -v p="$pcpu" 'BEGIN {
    printf "CPU ratio vs zstd -3: build %.2fx, pipe %.2fx (issue target: <= 3x, goal 1.5x)\n", c / z, p / z }'
