#!/bin/sh
# In a fresh checkout out/ does not exist: `mtprep build
# corpora/recipes/sample-id-en.recipe` creates the output directory's missing
# parents (mkdir -p) and builds a corpus that verifies, leaving no spool
# directory beside it. A monolingual recipe gets the same treatment.
set -eu
. "$(dirname "$0")/lib.sh"

mkdir "$work/clone"
cp -R "$MTPREP_SOURCE_DIR/corpora" "$work/clone/corpora"
cd "$work/clone"
[ ! -e out ] || fail "out/ exists before the build"

"$MTPREP" build -q corpora/recipes/sample-id-en.recipe
"$MTPREP" verify out/sample-id-en > /dev/null || fail "verify failed"
[ "$(ls -A out)" = "sample-id-en" ] || fail "out/ holds more than the corpus: $(ls -A out)"

# Deeper missing parents, monolingual recipe.
"$MTPREP" build -q --out deep/er/sample-id corpora/recipes/sample-id.recipe
"$MTPREP" verify deep/er/sample-id > /dev/null || fail "verify failed (monolingual)"
pass
