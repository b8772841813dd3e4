#!/bin/sh
# Benchmarks `mtprep align`:
#   1. throughput: source sentences per second of the whole align command over
#      each SET_DIR given (id-en-dev layout: SET/docs/NAME.id and NAME.en), and
#      over all of them repeated until about 100,000 source sentences;
#   2. stress: one synthetic document pair of N source sentences (default
#      100,000), built from the word list with 10% one-sided deletions and 5%
#      merges, aligned in one piece: elapsed seconds and peak RSS
#      (/usr/bin/time -v).
#
# Usage: tools/bench_align.sh [-m MTPREP] [-n N] [SET_DIR...]
#   -m MTPREP   the mtprep binary (default: mtprep on PATH, or $MTPREP)
#   -n N        source sentences of the stress document (default 100000)
set -eu
LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
dict=$here/../corpora/dict.id-en.tsv
mtprep=${MTPREP:-mtprep}
n=100000
while getopts m:n: opt; do
    case $opt in
    m) mtprep=$OPTARG ;;
    n) n=$OPTARG ;;
    *) echo "usage: $0 [-m MTPREP] [-n N] [SET_DIR...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (GNU time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# records LANG SET: one unit record per sentence, doc_id = file name, unit 1.N.
records() {
    for f in "$2"/docs/*."$1"; do
        doc=$(basename "$f" ".$1")
        tr '\t\r' '  ' < "$f" | awk -v d="$doc" '{ printf "%s\t1.%d\t%s\n", d, NR, $0 }'
    done
}

# timed SRC TGT: runs align, prints "CPU_SECONDS WALL_SECONDS PEAK_KB" (CPU =
# user + system: what one core spends, whatever else loads the machine).
timed() {
    /usr/bin/time -f '%U %S %e %M' -o "$work/time" "$mtprep" align -q "$@" > "$work/pairs"
    awk '{ printf "%.2f %s %s\n", $1 + $2, $3, $4 }' "$work/time"
}

rate() {
    awk -v n="$1" -v t="$2" 'BEGIN { printf "%d", n / (t > 0.01 ? t : 0.01) }'
}

if [ $# -gt 0 ]; then
    printf '%-28s %9s %8s %8s %10s\n' input src_sents cpu_s wall_s sent/cpu_s
    : > "$work/all.id"
    : > "$work/all.en"
    for set in "$@"; do
        name=$(basename "$set")
        records id "$set" | sed "s/^/$name:/" > "$work/set.id"
        records en "$set" | sed "s/^/$name:/" > "$work/set.en"
        cat "$work/set.id" >> "$work/all.id"
        cat "$work/set.en" >> "$work/all.en"
        sents=$(wc -l < "$work/set.id")
        set -- $(timed "$work/set.id" "$work/set.en")
        printf '%-28s %9d %8s %8s %10s\n' "$name" "$sents" "$1" "$2" "$(rate "$sents" "$1")"
    done
    # Repeat the sets (renamed) up to ~100k source sentences: steady-state rate.
    per=$(wc -l < "$work/all.id")
    copies=$(( (100000 + per - 1) / per ))
    for side in id en; do
        k=0
        while [ "$k" -lt "$copies" ]; do
            sed "s/^/r$k:/" "$work/all.$side"
            k=$((k + 1))
        done > "$work/rep.$side"
    done
    sents=$(wc -l < "$work/rep.id")
    set -- $(timed "$work/rep.id" "$work/rep.en")
    printf '%-28s %9d %8s %8s %10s\n' "all sets x$copies" "$sents" "$1" "$2" "$(rate "$sents" "$1")"
fi

# The stress document: sentence k pairs random word-list entries (plus a
# number); about 10% of pairs lose one side and 5% are merged on one side.
awk -v n="$n" -v seed=20240611 -v doc=stress -v merge=0.05 -v cap=1 \
    -v src="$work/stress.id" -v tgt="$work/stress.en" -f "$here/synth_align_doc.awk" "$dict"
src_n=$(wc -l < "$work/stress.id")
tgt_n=$(wc -l < "$work/stress.en")
set -- $(timed "$work/stress.id" "$work/stress.en")
pairs=$(wc -l < "$work/pairs")
echo "stress document: $src_n source + $tgt_n target sentences -> $pairs pairs;" \
    "$1 s CPU, $2 s wall, peak RSS $(( $3 / 1024 )) MB"
