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
# build in build-threads-rel/). Other processes on the machine add noise:
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
if [ -z "${MTPREP:-}" ]; then
    cmake -S . -B build-threads-rel -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    cmake --build build-threads-rel -j"$(nproc)" >/dev/null
    MTPREP=$PWD/build-threads-rel/mtprep
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

# measure N: one build with N threads; appends "wall cpu maxrss_kb" to $work/tN.
measure() {
    rm -rf "$work/out.$1"
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" \
        "$MTPREP" build -q --threads "$1" --out "$work/out.$1" "$work/bench.recipe" \
        >/dev/null 2>"$work/stderr" || {
        echo "bench_threads: --threads $1 failed:" >&2
        cat "$work/stderr" >&2
        exit 1
    }
    awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$work/time" >> "$work/t$1"
}

median() { # file column
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
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
    for f in $(cd "$work/out.$first" && ls); do
        cmp -s "$work/out.$first/$f" "$work/out.$n/$f" || {
            echo "bench_threads: $f differs between --threads $first and --threads $n" >&2
            exit 1
        }
    done
done

echo "input: $input ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')), $rounds rounds, medians; $(nproc) CPUs"
base=$(median "$work/t$first" 1)
for n in $counts; do
    wall=$(median "$work/t$n" 1)
    cpu=$(median "$work/t$n" 2)
    rss=$(median "$work/t$n" 3)
    awk -v n="$n" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" -v base="$base" 'BEGIN {
        printf "build --threads %-3s %7.2f MB/s wall  %6.2f s wall  %6.2f CPU-s  peak RSS %6.1f MB  speed-up %.2fx\n",
            n, b / 1e6 / w, w, c, r / 1024, base / w }'
done
echo "corpus files identical across thread counts: yes"
