# Shared by the tools/bench*.sh scripts (sourced, not run). The caller sets
# $work (a scratch directory) and $bench (its own name, for messages).

# bench_binary: sets MTPREP to a Release build in build-bench/ unless it is set.
bench_binary() {
    if [ -z "${MTPREP:-}" ]; then
        cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
        cmake --build build-bench -j"$(nproc)" >/dev/null
        MTPREP=$PWD/build-bench/mtprep
    fi
}

# bench_measure NAME COMMAND...: runs COMMAND (stdout discarded) under GNU
# time and appends "wall_s cpu_s maxrss_kb" to $work/NAME; stops on failure.
bench_measure() {
    name=$1
    shift
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
        echo "$bench: $name failed:" >&2
        cat "$work/stderr" >&2
        exit 1
    }
    awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$work/time" >> "$work/$name"
}

# bench_median FILE COLUMN: the median of one column.
bench_median() {
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c }
        END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_report NAME LABEL BYTES: one line of medians for $work/NAME.
bench_report() {
    wall=$(bench_median "$work/$1" 1)
    cpu=$(bench_median "$work/$1" 2)
    rss=$(bench_median "$work/$1" 3)
    awk -v l="$2" -v b="$3" -v w="$wall" -v c="$cpu" -v r="$rss" 'BEGIN {
        printf "%-36s %8.1f MB/s wall %8.1f MB/CPU-s  peak RSS %6.1f MB\n", l, b / 1e6 / w, b / 1e6 / (c > 0 ? c : 0.001), r / 1024 }'
}

# bench_recipe INPUT: writes $work/bench.recipe, a monolingual build of INPUT
# with the default stage options into $work/corpus.
bench_recipe() {
    cat > "$work/bench.recipe" <<RECIPE
[build]
input = $1
output = $work/corpus
lang = id
RECIPE
}

# bench_same_corpus DIR_A DIR_B WHAT: stops unless every file of DIR_A is
# byte-identical in DIR_B.
bench_same_corpus() {
    for f in $(cd "$1" && ls); do
        cmp -s "$1/$f" "$2/$f" || {
            echo "$bench: $f differs between $3" >&2
            exit 1
        }
    done
}
