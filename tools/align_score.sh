#!/bin/sh
# Scores `mtprep align` on sentence-alignment sets laid out as
#   SET/docs/NAME.id, SET/docs/NAME.en   one sentence a line
#   SET/gold.align                       "# doc NAME", then "src_ids<TAB>tgt_ids"
#                                        a bead a line (0-based, comma-separated,
#                                        a side empty for 1-0 / 0-1)
# and prints, per set, strict bead F1 (a bead counts only when its source and
# target sentence sets both match a gold bead exactly, 1-0 and 0-1 included)
# and link F1 (the source-target sentence links of the non-empty beads), with
# the sentences per second of the align run.
#
# Usage: tools/align_score.sh [-m MTPREP] [-k] SET_DIR... [-- ALIGN_OPTIONS...]
#   -m MTPREP   the mtprep binary (default: mtprep on PATH, or $MTPREP)
#   -k          keep the work directory and print its path
# Example: tools/align_score.sh -m build/mtprep corpora/id-en-dev/news-valid.* -- --no-dict
set -eu
LC_ALL=C
export LC_ALL

mtprep=${MTPREP:-mtprep}
keep=0
while getopts m:k opt; do
    case $opt in
    m) mtprep=$OPTARG ;;
    k) keep=1 ;;
    *) echo "usage: $0 [-m MTPREP] [-k] SET_DIR... [-- ALIGN_OPTIONS...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
sets=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    sets="$sets $1"
    shift
done
[ $# -gt 0 ] && shift # the "--"
[ -n "$sets" ] || { echo "$0: no set directory given" >&2; exit 2; }

work=$(mktemp -d)
if [ "$keep" -eq 1 ]; then
    echo "work directory: $work" >&2
else
    trap 'rm -rf "$work"' EXIT INT TERM
fi

# records LANG SET OUT: one unit record per sentence, doc_id = file name, unit 1.N.
records() {
    for f in "$2"/docs/*."$1"; do
        doc=$(basename "$f" ".$1")
        tr '\t\r' '  ' < "$f" | awk -v d="$doc" '{ printf "%s\t1.%d\t%s\n", d, NR, $0 }'
    done > "$3"
}

# beads: turns pair records (with --emit-nulls) into "doc<TAB>src_ids<TAB>tgt_ids" lines.
beads() {
    awk -F '\t' '
    function ids(side,   n, parts, i, out, u) {
        if (side == "") return ""
        n = split(side, parts, "+")
        out = ""
        for (i = 1; i <= n; i++) {
            u = parts[i]; sub(/^[0-9]+\./, "", u)
            out = out (i > 1 ? "," : "") (u - 1)
        }
        return out
    }
    { split($2, s, "="); print $1 "\t" ids(s[1]) "\t" ids(s[2]) }'
}

gold_beads() {
    awk -F '\t' '/^# doc / { d = $0; sub(/^# doc /, "", d); next } NF > 0 { print d "\t" $1 "\t" $2 }' "$1"
}

# f1 GOLD PRED: strict bead and link precision/recall/F1.
f1() {
    awk -F '\t' '
    function links(doc, a, b, tab,   x, y, nx, ny, i, j) {
        if (a == "" || b == "") return
        nx = split(a, x, ","); ny = split(b, y, ",")
        for (i = 1; i <= nx; i++) for (j = 1; j <= ny; j++) tab[doc SUBSEP x[i] SUBSEP y[j]] = 1
    }
    FNR == NR { gold[$0] = 1; ng++; links($1, $2, $3, gl); next }
    { np++; if ($0 in gold) hit++; links($1, $2, $3, pl) }
    END {
        for (k in gl) gn++
        for (k in pl) { pn++; if (k in gl) lh++ }
        p = np ? hit / np : 0; r = ng ? hit / ng : 0
        lp = pn ? lh / pn : 0; lr = gn ? lh / gn : 0
        printf "%.3f %.3f %.3f %.3f %.3f %.3f\n", p, r, (p + r) ? 2 * p * r / (p + r) : 0, \
            lp, lr, (lp + lr) ? 2 * lp * lr / (lp + lr) : 0
    }' "$1" "$2"
}

now() { date +%s.%N; }

printf '%-28s %6s %6s %6s  %6s %6s %6s  %9s\n' set b.prec b.rec STRICT l.prec l.rec LINK sent/s
for set in $sets; do
    name=$(basename "$set")
    records id "$set" "$work/$name.id.rec"
    records en "$set" "$work/$name.en.rec"
    t0=$(now)
    "$mtprep" align -q --emit-nulls "$@" "$work/$name.id.rec" "$work/$name.en.rec" > "$work/$name.pairs"
    t1=$(now)
    beads < "$work/$name.pairs" > "$work/$name.pred"
    gold_beads "$set/gold.align" > "$work/$name.gold"
    n=$(wc -l < "$work/$name.id.rec")
    rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / ((b - a) > 0 ? b - a : 1e-9) }')
    printf '%-28s %6s %6s %6s  %6s %6s %6s  %9s\n' "$name" $(f1 "$work/$name.gold" "$work/$name.pred") "$rate"
done
