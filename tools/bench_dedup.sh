#!/bin/sh
# dedup benchmark (not a test): exact sentence dedup over news-id sentence
# records, in memory and spilling (--mem a tenth of the in-memory key
# table), against `LC_ALL=C sort -u` and `gawk '!seen[$0]++'` over the same
# lines' text column. The four commands run interleaved, ROUNDS times, on the
# records as they are (x1) and repeated 8 times (x8); prints medians of wall
# MB/s (each command's own input: records for mtprep, text lines for the
# baselines), CPU seconds (user + system), peak RSS, the speed ratios on
# wall and on CPU time (same lines, so these are lines/s ratios; CPU time
# is the steadier one on a shared machine, but sort -u runs one thread per
# core), and the key table's bytes per unique key. Checks that
# the spilled output is byte for byte the in-memory output.
#
#   tools/bench_dedup.sh [RECORDS.tsv] [ROUNDS]
#
# RECORDS defaults to ../shared/corpora/news-id/articles.jsonl through
# ingest | normalize | segment. MTPREP names the binary (default: a Release
# build in build-bench/). REPEATS lists the repetitions (default "1 8").
set -eu
cd "$(dirname "$0")/.."
export LC_ALL=C

records_in=${1:-}
rounds=${2:-5}
articles=../shared/corpora/news-id/articles.jsonl
if [ -z "$records_in" ] && [ ! -r "$articles" ]; then
    echo "bench_dedup: $articles not found; nothing measured" >&2
    exit 77
fi
if [ -z "${MTPREP:-}" ]; then
    cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    cmake --build build-bench -j"$(nproc)" >/dev/null
    MTPREP=$PWD/build-bench/mtprep
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ -n "$records_in" ]; then
    cp "$records_in" "$work/records.1"
else
    "$MTPREP" ingest -q "$articles" | "$MTPREP" normalize -q | "$MTPREP" segment -q > "$work/records.1"
fi

# measure NAME COMMAND...: appends "wall_s maxrss_kb cpu_s" to $work/NAME;
# stdout goes to $work/NAME.out.
measure() {
    name=$1
    shift
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" > "$work/$name.out" 2> "$work/stderr" || {
        echo "bench_dedup: $name failed:" >&2
        cat "$work/stderr" >&2
        exit 1
    }
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/time" >> "$work/$name"
}

median() { # FILE COLUMN
    sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# table_bytes UNIQUE: the key table's bytes for that many keys, as
# pipeline/keys.c grows it (1024 home slots, x1.5 past load 0.8, + 64).
table_bytes() {
    awk -v n="$1" 'BEGIN { h = 1024; while (n * 5 > h * 4) h += int(h / 2); print (h + 64) * 8 }'
}

bench_repeat() { # REPEAT
    rep=$1
    records=$work/records.$rep
    if [ ! -e "$records" ]; then
        i=0
        while [ "$i" -lt "$rep" ]; do
            cat "$work/records.1"
            i=$((i + 1))
        done > "$records"
    fi
    cut -f3 "$records" > "$work/text"
    rec_mb=$(wc -c < "$records" | awk '{ print $1 / 1e6 }')
    text_mb=$(wc -c < "$work/text" | awk '{ print $1 / 1e6 }')
    lines=$(wc -l < "$records")
    "$MTPREP" dedup -q "$records" | wc -l > "$work/unique"
    unique=$(cat "$work/unique")
    table=$(table_bytes "$unique")
    mem=$((table / 10))
    rm -f "$work/mem" "$work/spill" "$work/sort" "$work/gawk" "$work/empty"
    : > "$work/empty.tsv"
    i=0
    while [ "$i" -lt "$rounds" ]; do
        measure mem "$MTPREP" dedup -q "$records"
        measure spill "$MTPREP" dedup -q --mem "$mem" --tmp-dir "$work" "$records"
        measure sort sort -u "$work/text"
        measure gawk gawk '!seen[$0]++' "$work/text"
        measure empty "$MTPREP" dedup -q "$work/empty.tsv"
        cmp -s "$work/mem.out" "$work/spill.out" || {
            echo "bench_dedup: x$rep: spilled output differs from the in-memory output" >&2
            exit 1
        }
        i=$((i + 1))
    done
    echo "x$rep: $lines records ($rec_mb MB; text column $text_mb MB), $unique unique;" \
        "in-memory table $table bytes, spill run with --mem $mem; $rounds rounds, medians"
    printf '  %-8s %8s %9s %8s %11s\n' command "wall s" "MB/s" "CPU s" "peak RSS MB"
    for name in mem spill sort gawk; do
        wall=$(median "$work/$name" 1)
        rss=$(median "$work/$name" 2)
        cpu=$(median "$work/$name" 3)
        mb=$rec_mb
        [ "$name" = sort ] || [ "$name" = gawk ] && mb=$text_mb
        echo "$name $wall $rss $mb $cpu" |
            awk '{ printf "  %-8s %8.2f %9.1f %8.2f %11.1f\n", $1, $2, $4 / $2, $5, $3 / 1024 }'
        eval "wall_$name=\$wall rss_$name=\$rss cpu_$name=\$cpu"
    done
    rss_empty=$(median "$work/empty" 2)
    echo "$wall_mem $wall_spill $wall_sort $wall_gawk $rss_mem $rss_empty $unique $table" \
        "$cpu_mem $cpu_spill $cpu_sort $cpu_gawk" | awk '{
        printf "  wall speed (lines/s): mem/sort %.2fx, mem/gawk %.2fx, spill/mem %.2f\n", $3 / $1, $4 / $1, $1 / $2
        printf "  CPU speed (lines per CPU s): mem/sort %.2fx, mem/gawk %.2fx, spill/mem %.2f\n", $11 / $9, $12 / $9, $9 / $10
        printf "  key table %.1f bytes per unique key; peak RSS over an empty run %.1f bytes per unique key\n",
            $8 / $7, ($5 - $6) * 1024 / $7 }'
}

for rep in ${REPEATS:-1 8}; do
    bench_repeat "$rep"
done
