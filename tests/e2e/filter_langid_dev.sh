#!/bin/sh
# The filter's Indonesian/English guess on the id-en development sets (shared
# data; skipped when absent), from tools/langid_score.sh: on the clean and mix
# sets no sentence is guessed to be in the other language, and at least 88%
# of each side is guessed right (the rest, headlines and short sentences,
# stays unsure and is kept).
set -eu
. "$(dirname "$0")/lib.sh"
need_shared corpora/id-en-dev/news-valid.clean/docs

dev=$MTPREP_SHARED_DIR/corpora/id-en-dev
sh "$MTPREP_SOURCE_DIR/tools/langid_score.sh" -m "$MTPREP" "$dev/news-valid.clean" \
    "$dev/news-valid.mix" > "$work/table"
cat "$work/table"
[ "$(wc -l < "$work/table")" -eq 4 ] || fail "expected 4 lines of scores"
awk '{ gsub(",", ""); total = $4; right = $6; wrong = $8
       if (wrong != 0) { print "wrong guesses: " $0; bad = 1 }
       if (right < 0.88 * total) { print "too few right: " $0; bad = 1 } }
     END { exit bad }' "$work/table" || fail "langid scores below the floor"
pass
