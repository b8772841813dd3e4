#!/bin/sh
# segment: the 40 Indonesian behaviour probes (id-seg-probes); at least 38
# documents must come out exactly as their gold sentences.
set -eu
LC_ALL=C
export LC_ALL
probes="$MTPREP_SHARED_DIR/corpora/id-seg-probes/docs"
[ -d "$probes" ] || exit 77
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

sh "$MTPREP_SOURCE_DIR/tools/seg_score.sh" -m "$MTPREP" "$probes" > "$work/score"
cat "$work/score"
exact=$(sed -n 's/^documents exact: \([0-9]*\)\/40$/\1/p' "$work/score")
[ -n "$exact" ] && [ "$exact" -ge 38 ]
