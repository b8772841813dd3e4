#!/bin/sh
# seg_score.sh: scores `mtprep segment` against gold sentences.
#
# Usage: seg_score.sh [-v] [-m MTPREP] DOCS_DIR [SEGMENT_OPTION...]
#
# DOCS_DIR holds NAME.txt (running text, paragraphs separated by blank lines)
# and NAME.sents (the gold sentences, one a line). Each NAME.txt becomes
# paragraph records (doc_id NAME, units 1, 2, ...), runs through
# `mtprep segment SEGMENT_OPTION...`, and the output is compared with the gold:
#
#   boundaries  positions in the document's text with all white space removed
#               where a sentence ends, the end of the document excluded;
#               precision, recall and F1 micro-averaged over all documents;
#   sentences   gold sentences reproduced exactly (same start and end);
#   documents   documents whose every sentence is right.
#
# -v also prints each missed (FN) and spurious (FP) boundary with context.
# -m names the mtprep binary (default: $MTPREP, else mtprep on PATH).
# Exit status: 0 after printing the scores, 2 on misuse, 1 if mtprep fails.
set -eu
LC_ALL=C
export LC_ALL

verbose=0
mtprep=${MTPREP:-mtprep}
while [ $# -gt 0 ]; do
    case $1 in
    -v) verbose=1; shift ;;
    -m) [ $# -ge 2 ] || { echo "seg_score.sh: -m needs an argument" >&2; exit 2; }
        mtprep=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) echo "seg_score.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: seg_score.sh [-v] [-m MTPREP] DOCS_DIR [SEGMENT_OPTION...]" >&2; exit 2; }
docs=$1
shift
[ -d "$docs" ] || { echo "seg_score.sh: $docs: not a directory" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Paragraph records: lines of one paragraph joined by a space.
for txt in "$docs"/*.txt; do
    [ -f "${txt%.txt}.sents" ] || continue
    name=$(basename "$txt" .txt)
    awk -v doc="$name" '
        NF == 0 { if (para != "") { print doc "\t" ++n "\t" para; para = "" } next }
        { para = (para == "" ? $0 : para " " $0) }
        END { if (para != "") print doc "\t" ++n "\t" para }' "$txt"
done > "$work/records.tsv"

"$mtprep" segment -q "$@" < "$work/records.tsv" > "$work/sys.tsv" || {
    echo "seg_score.sh: mtprep segment failed" >&2; exit 1; }

# Gold in the same shape as the system output: doc TAB - TAB sentence.
for sents in "$docs"/*.sents; do
    [ -f "${sents%.sents}.txt" ] || continue
    name=$(basename "$sents" .sents)
    awk -v doc="$name" 'NF > 0 { print doc "\t-\t" $0 }' "$sents"
done > "$work/gold.tsv"

awk -F '\t' -v verbose="$verbose" '
    function squeeze(s) { gsub(/[ \t]+/, "", s); return s }
    # Records each sentence span [start, end) in white-space-free offsets.
    function add(side, doc, text,    len) {
        len = length(squeeze(text))
        if (!((side, doc) in pos)) { pos[side, doc] = 0; if (side == "g") docs[++ndocs] = doc }
        start = pos[side, doc]; pos[side, doc] += len
        span[side, doc, start, pos[side, doc]] = 1
        ends[side, doc, pos[side, doc]] = 1
        nsent[side, doc]++
        if (side == "g") flat[doc] = flat[doc] squeeze(text)
    }
    FILENAME == ARGV[1] { add("g", $1, $3); next }
    { add("s", $1, $3) }
    END {
        for (i = 1; i <= ndocs; i++) {
            d = docs[i]; doc_ok = 1; total = pos["g", d]
            for (k in ends) {
                split(k, p, SUBSEP)
                if (p[2] != d || p[3] == total) continue
                if (p[1] == "s") { sys++; if (("g", d, p[3]) in ends) tp++; else { doc_ok = 0; show("FP", d, p[3]) } }
                else { gold++; if (!(("s", d, p[3]) in ends)) { doc_ok = 0; show("FN", d, p[3]) } }
            }
            for (k in span) {
                split(k, p, SUBSEP)
                if (p[1] == "g" && p[2] == d && (("s", d, p[3], p[4]) in span)) exact++
            }
            gsent += nsent["g", d]
            if (pos["s", d] != total) { doc_ok = 0; printf "warning: %s: text differs from gold\n", d > "/dev/stderr" }
            docs_ok += doc_ok
        }
        pr = sys ? tp / sys : 0; rc = gold ? tp / gold : 0; f = pr + rc ? 2 * pr * rc / (pr + rc) : 0
        printf "boundaries: gold %d, system %d, correct %d\n", gold, sys, tp
        printf "precision %.4f  recall %.4f  F1 %.4f\n", pr, rc, f
        printf "sentences exact: %d/%d (%.4f)\n", exact, gsent, gsent ? exact / gsent : 0
        printf "documents exact: %d/%d\n", docs_ok, ndocs
    }
    function show(kind, d, at) {
        if (verbose) printf "%s %s: %s|%s\n", kind, d, substr(flat[d], at - 39, 40), substr(flat[d], at + 1, 30)
    }' "$work/gold.tsv" "$work/sys.tsv"
