#!/bin/sh
# segment: boundary F1 on the UD Indonesian development sets stays at or above
# the level the rules reach (gsd-dev-resplit 0.9936, csui-train 0.9872).
# gsd-dev-resplit was 0.9945 until "Inc." became a word that may end a
# sentence: its gold keeps "GeoEye Inc. Seperti pada GeoEye-1, ..." as one
# sentence because the resplit heuristic reads "Inc." as an abbreviation.
# Test sets are not used here.
set -eu
LC_ALL=C
export LC_ALL
docs="$MTPREP_SHARED_DIR/corpora/ud-id/docs"
[ -d "$docs/gsd-dev-resplit" ] || exit 77
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

check() { # set minimum-F1
    sh "$MTPREP_SOURCE_DIR/tools/seg_score.sh" -m "$MTPREP" "$docs/$1" > "$work/score"
    echo "$1:"; cat "$work/score"
    f1=$(sed -n 's/.*F1 \([0-9.]*\)$/\1/p' "$work/score")
    awk -v f="$f1" -v min="$2" 'BEGIN { exit !(f >= min) }'
}
check gsd-dev-resplit 0.9935
check csui-train 0.987
