#!/bin/sh
# bench_segment.sh: the segment stage alone against zstd -3 -T1 over the same
# news-id paragraph records (not a test).
#
#   tools/bench_segment.sh [-c] [ROUNDS]
#
# The records are made once with `mtprep ingest | mtprep normalize` from
# $MTPREP_SHARED_DIR/corpora/news-id/articles.jsonl (default ../shared) and
# repeated COPIES times (default 4, about 110 MB, so that a run lasts well
# over the 10 ms ticks of CPU accounting). Then `mtprep segment -q RECORDS`
# and `zstd -3 -T1 -q -c RECORDS` run interleaved ROUNDS times (default 5);
# the medians of wall-clock MB/s, MB per CPU-second (user + system, GNU time)
# and peak RSS are printed, with the CPU ratio segment/zstd (issue target:
# <= 0.7). -c also counts instructions of one run of each over one copy under
# callgrind, the noise-free ratio. MTPREP names the binary (default: a
# Release build in build-bench/). Exit 77 without the data.
set -eu
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.."

callgrind=0
if [ "${1:-}" = "-c" ]; then
    callgrind=1
    shift
fi
rounds=${1:-5}
shared=${MTPREP_SHARED_DIR:-../shared}
articles=$shared/corpora/news-id/articles.jsonl
if [ ! -r "$articles" ]; then
    echo "bench_segment: $articles not found; nothing measured" >&2
    exit 77
fi
if [ -z "${MTPREP:-}" ]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    cmake --build build-bench -j"$(nproc)" >/dev/null
    MTPREP=$PWD/build-bench/mtprep
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

one=$work/paragraphs.tsv
records=$work/repeated.tsv
"$MTPREP" ingest -q "$articles" | "$MTPREP" normalize -q > "$one"
k=0
while [ "$k" -lt "${COPIES:-4}" ]; do
    cat "$one"
    k=$((k + 1))
done > "$records"
bytes=$(wc -c < "$records")

# measure NAME COMMAND...: appends "wall cpu maxrss_kb" to $work/NAME.
measure() {
    name=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null 2> "$work/stderr" || {
        echo "bench_segment: $name failed:" >&2
        cat "$work/stderr" >&2
        exit 1
    }
    awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$work/time" >> "$work/$name"
}

median() { # FILE COLUMN
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

i=0
while [ "$i" -lt "$rounds" ]; do
    measure zstd zstd -3 -T1 -q -c "$records"
    measure segment "$MTPREP" segment -q "$records"
    i=$((i + 1))
done

report() { # NAME LABEL
    wall=$(median "$work/$1" 1)
    cpu=$(median "$work/$1" 2)
    rss=$(median "$work/$1" 3)
    awk -v l="$2" -v b="$bytes" -v w="$wall" -v c="$cpu" -v r="$rss" 'BEGIN {
        printf "%-24s %8.1f MB/s wall %8.1f MB/CPU-s  peak RSS %6.1f MB\n",
            l, b / 1e6 / w, b / 1e6 / (c > 0 ? c : 0.001), r / 1024 }'
}

echo "records: $(wc -l < "$records") news-id paragraphs (${COPIES:-4} copies)," \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'), $rounds rounds, medians"
report zstd "zstd -3 -T1"
report segment "mtprep segment"
awk -v z="$(median "$work/zstd" 2)" -v s="$(median "$work/segment" 2)" 'BEGIN {
    printf "CPU ratio segment / zstd -3: %.2fx (target <= 0.7x)\n", s / (z > 0 ? z : 0.001) }'

if [ "$callgrind" -eq 1 ]; then
    instructions() { # COMMAND...: prints the instruction count of one run
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 > /dev/null |
            sed -n 's/.*refs: *\([0-9,]*\).*/\1/p' | tr -d ,
    }
    zi=$(instructions zstd -3 -T1 -q -c "$one")
    si=$(instructions "$MTPREP" segment -q "$one")
    awk -v z="$zi" -v s="$si" 'BEGIN {
        printf "instructions (callgrind): zstd %.0fM, segment %.0fM, ratio %.2fx\n",
            z / 1e6, s / 1e6, s / z }'
fi
