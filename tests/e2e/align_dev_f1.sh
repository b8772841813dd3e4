#!/bin/sh
# Alignment quality on the id-en development sets (shared data; skipped when
# absent): strict bead F1 from tools/align_score.sh must reach the project's
# targets on each condition: clean 0.99, del 0.94, merge 0.96, mix 0.92.
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/id-en-dev/news-valid.clean/gold.align

dev=$MTPREP_SHARED_DIR/corpora/id-en-dev
sh "$MTPREP_SOURCE_DIR/tools/align_score.sh" -m "$MTPREP" "$dev/news-valid.clean" \
    "$dev/news-valid.del" "$dev/news-valid.merge" "$dev/news-valid.mix" \
    -- --dict "$MTPREP_SOURCE_DIR/corpora/dict.id-en.tsv" > "$work/table"
cat "$work/table"
awk '
    $1 == "news-valid.clean" { want = 0.99 }
    $1 == "news-valid.del"   { want = 0.94 }
    $1 == "news-valid.merge" { want = 0.96 }
    $1 == "news-valid.mix"   { want = 0.92 }
    $1 ~ /^news-valid\./ { seen++; if ($4 + 0 < want) { print "below target: " $1 " " $4 " < " want; bad = 1 } }
    END { exit (bad || seen != 4) }' "$work/table" || fail "strict F1 below target"
pass
