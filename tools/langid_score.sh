#!/bin/sh
# Scores the filter's built-in Indonesian/English guess (`mtprep filter
# --langid`) on sets laid out as SET/docs/NAME.id and SET/docs/NAME.en, one
# sentence a line, Indonesian and English. For each side it prints how many
# sentences are guessed right, guessed the other language (wrong) and left
# unsure (kept by the rule), every other filter rule off.
#
# Usage: tools/langid_score.sh [-m MTPREP] SET_DIR...
#   -m MTPREP   the mtprep binary (default: $MTPREP, else mtprep on PATH)
# Example: tools/langid_score.sh -m build/mtprep ../shared/corpora/id-en-dev/news-valid.clean
# Exit status: 0 after printing, 2 on misuse, 1 if mtprep fails.
set -eu
LC_ALL=C
export LC_ALL

mtprep=${MTPREP:-mtprep}
while getopts m: opt; do
    case $opt in
    m) mtprep=$OPTARG ;;
    *) echo "usage: $0 [-m MTPREP] SET_DIR..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-m MTPREP] SET_DIR..." >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# Sentences of one side as unit records: NAME TAB line-number TAB text.
records() { # set-dir extension
    for f in "$1"/docs/*."$2"; do
        [ -f "$f" ] || continue
        awk -v doc="$(basename "$f" ".$2")" 'NF > 0 { print doc "\t" NR "\t" $0 }' "$f"
    done
}

# How many of the records `filter --langid LANG` drops.
dropped_as() { # records-file lang
    "$mtprep" filter -q --min-chars 0 --min-words 0 --max-nonletter-ratio 1 \
        --keep-url-email-number --keep-link-teasers --langid "$2" \
        --counts "$work/counts.json" "$1" > /dev/null || {
        echo "langid_score.sh: mtprep filter failed" >&2; exit 1; }
    sed -n 's/.*"dropped.langid": \([0-9]*\).*/\1/p' "$work/counts.json" | grep . || echo 0
}

for set in "$@"; do
    [ -d "$set/docs" ] || { echo "langid_score.sh: $set/docs: not a directory" >&2; exit 2; }
    for side in id en; do
        other=$([ "$side" = id ] && echo en || echo id)
        records "$set" "$side" > "$work/records.tsv"
        total=$(wc -l < "$work/records.tsv" | tr -d ' ')
        right=$(dropped_as "$work/records.tsv" "$other") # dropped when expecting the other
        wrong=$(dropped_as "$work/records.tsv" "$side")
        echo "$(basename "$set") $side: sentences $total, right $right, wrong $wrong, unsure $((total - right - wrong))"
    done
done
