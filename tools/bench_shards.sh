#!/bin/sh
# mtprep sharding benchmark (not a test): over one input, ROUNDS interleaved
# rounds of
#   build --threads 1        the single-process reference
#   build --threads 2
#   4 shards, in sequence    mtprep plan --shards 4, then every `mtprep task`
#                            one after another in a shell loop (no engine)
#   4 shards, GNU parallel   mtprep plan --shards 4, then tools/parallel/run.sh
#                            --jobs 2 (plan included in the time)
# and prints medians of wall-clock MB/s, CPU seconds of the whole process tree
# (user+system), the largest peak RSS of any one process, and each run's wall
# time and CPU seconds as ratios against the single-process build. Checks that
# every corpus file is byte-identical across the four. The sequence row
# separates the cost of the map/reduce layout (intermediate files, one
# process per task) from the engine's (GNU parallel starts once per stage).
#
#   tools/bench_shards.sh [INPUT.jsonl] [ROUNDS]
#
# INPUT defaults to ../shared/corpora/news-id/articles.jsonl, ROUNDS to 5.
# MTPREP names the binary (default: a Release build in build-bench/). On a
# 2-core machine the shards cannot run faster than the threads: the figure
# that matters is the overhead (extra CPU seconds) of the map/reduce layout.
set -eu
cd "$(dirname "$0")/.."
bench=bench_shards

input=${1:-../shared/corpora/news-id/articles.jsonl}
rounds=${2:-5}
if [ ! -r "$input" ]; then
    echo "$bench: $input not found; nothing measured" >&2
    exit 77
fi
command -v parallel >/dev/null || { echo "$bench: needs GNU parallel (tools/install-deps.sh)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
. tools/bench_lib.sh
bench_binary

bytes=$(wc -c < "$input")
bench_recipe "$input"

# The sharded run as one script, so GNU time sees the whole process tree.
cat > "$work/sharded.sh" <<SCRIPT
set -eu
rm -rf "$work/run" "$work/out.shards"
"$MTPREP" plan -q --shards 4 --out "$work/out.shards" --run "$work/run" "$work/bench.recipe"
sh tools/parallel/run.sh --jobs 2 --mtprep "$MTPREP" "$work/run"
SCRIPT
cat > "$work/sequence.sh" <<SCRIPT
set -eu
rm -rf "$work/run.seq" "$work/out.sequence"
"$MTPREP" plan -q --shards 4 --out "$work/out.sequence" --run "$work/run.seq" "$work/bench.recipe"
for stage in map reduce write; do
    for rank in 0 1 2 3; do "$MTPREP" task -q "\$stage" "$work/run.seq" "\$rank"; done
done
"$MTPREP" task -q assemble "$work/run.seq" 0
SCRIPT

i=0
while [ "$i" -lt "$rounds" ]; do
    for n in 1 2; do
        rm -rf "$work/out.t$n"
        bench_measure "t$n" "$MTPREP" build -q --threads "$n" --out "$work/out.t$n" \
            "$work/bench.recipe"
    done
    bench_measure sequence sh "$work/sequence.sh"
    bench_measure shards sh "$work/sharded.sh"
    i=$((i + 1))
done

for run in t2 sequence shards; do
    bench_same_corpus "$work/out.t1" "$work/out.$run" "build --threads 1 and $run"
done

echo "input: $input ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }')), $rounds rounds, medians; $(nproc) CPUs"
base_wall=$(bench_median "$work/t1" 1)
base_cpu=$(bench_median "$work/t1" 2)
for run in t1 t2 sequence shards; do
    case $run in
    t1) label="build --threads 1" ;;
    t2) label="build --threads 2" ;;
    sequence) label="4 shards, tasks in sequence" ;;
    *) label="4 shards, GNU parallel -j2" ;;
    esac
    line=$(bench_report "$run" "$label" "$bytes")
    wall=$(bench_median "$work/$run" 1)
    cpu=$(bench_median "$work/$run" 2)
    awk -v l="$line" -v w="$wall" -v c="$cpu" -v bw="$base_wall" -v bc="$base_cpu" 'BEGIN {
        printf "%s  wall %.2fx  CPU %.2fx\n", l, w / bw, c / (bc > 0 ? bc : 0.001) }'
done
echo "corpus files identical across the four: yes"
