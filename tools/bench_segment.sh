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
bench=bench_segment
. tools/bench_lib.sh
bench_binary
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

i=0
while [ "$i" -lt "$rounds" ]; do
    bench_measure zstd zstd -3 -T1 -q -c "$records"
    bench_measure segment "$MTPREP" segment -q "$records"
    i=$((i + 1))
done


echo "records: $(wc -l < "$records") news-id paragraphs (${COPIES:-4} copies)," \
    "$(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'), $rounds rounds, medians"
bench_report zstd "zstd -3 -T1" "$bytes"
bench_report segment "mtprep segment" "$bytes"
awk -v z="$(bench_median "$work/zstd" 2)" -v s="$(bench_median "$work/segment" 2)" 'BEGIN {
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
