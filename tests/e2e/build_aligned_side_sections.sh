#!/bin/sh
# Per-language sections of an aligned recipe: [ingest-en], [normalize-en]
# and [segment-en] add options to the English side only, after the shared
# sections' ones (so they win), and the corpus equals the pipes given those
# options on that side alone. Without lang/tgt-lang in [build] the sides are
# id and en.
set -eu
. "$(dirname "$0")/lib.sh"

sample=$MTPREP_SOURCE_DIR/corpora/sample
cat > "$work/r.recipe" <<RECIPE
[build]
input = $sample/id
tgt-input = $sample/en
output = $work/built
[segment-en]
icu-only =
[ingest-en]
no-rules =
[normalize]
form = nfkc
[normalize-en]
# later on the English argv than [normalize]'s: it wins there
form = nfc
[write]
dev-ratio = 0.2
test-ratio = 0.2
RECIPE
"$MTPREP" build "$work/r.recipe" 2> "$work/summary"
grep -q '^mtprep ingest\.id: .*credit_line' "$work/summary" || fail "ingest.id lost its rules"
grep -q '^mtprep ingest\.en: in 67, out 67, dropped 0$' "$work/summary" ||
    fail "[ingest-en] no-rules did not reach the English side"

"$MTPREP" ingest -q "$sample/id" | "$MTPREP" normalize -q --form nfkc |
    "$MTPREP" segment -q --lang id > "$work/id.seg"
"$MTPREP" ingest -q --no-rules "$sample/en" | "$MTPREP" normalize -q --form nfc |
    "$MTPREP" segment -q --lang en --icu-only > "$work/en.seg"
"$MTPREP" align -q --src-lang id --tgt-lang en "$work/id.seg" "$work/en.seg" |
    "$MTPREP" filter -q | "$MTPREP" dedup -q |
    "$MTPREP" write -q --out "$work/piped" --lang id --tgt-lang en --dev-ratio 0.2 --test-ratio 0.2

for f in train.id.zst train.en.zst dev.id.zst dev.en.zst test.id.zst test.en.zst \
    train.meta.tsv.zst; do
    cmp "$work/built/$f" "$work/piped/$f" || fail "$f differs between build and pipe"
done
pass
