#!/bin/sh
# sentencepiece's spm_train takes the Indonesian side of the aligned sample
# corpus as written (train.id.zst decompressed, no cleanup in between): it
# loads every line, trains a small unigram model, and the model encodes a
# sentence. Skips (77) when spm_train or zstd is absent (Debian package
# sentencepiece).
set -eu
. "$(dirname "$0")/lib.sh"
sample=$MTPREP_SOURCE_DIR/corpora/sample

for tool in spm_train spm_encode zstd; do
    command -v "$tool" > /dev/null 2>&1 || {
        echo "SKIP: $tool not installed"
        exit 77
    }
done

for lang in id en; do
    "$MTPREP" ingest -q "$sample/$lang" | "$MTPREP" normalize -q |
        "$MTPREP" segment -q --lang "$lang" > "$work/$lang.seg"
done
"$MTPREP" align -q "$work/id.seg" "$work/en.seg" | "$MTPREP" filter -q |
    "$MTPREP" dedup -q | "$MTPREP" write -q --out "$work/corpus" --lang id --tgt-lang en
zstd -dcq "$work/corpus/train.id.zst" > "$work/train.id"
lines=$(wc -l < "$work/train.id")
[ "$lines" -gt 0 ] || fail "empty train.id.zst"

spm_train --input="$work/train.id" --model_prefix="$work/spm" --vocab_size=300 \
    --hard_vocab_limit=false --character_coverage=1.0 --num_threads=1 \
    > "$work/spm.log" 2>&1 || {
    cat "$work/spm.log" >&2
    fail "spm_train rejected train.id.zst"
}
grep -q "Loaded all $lines sentences" "$work/spm.log" || {
    grep -i 'load\|skip' "$work/spm.log" >&2
    fail "spm_train did not load all $lines lines"
}
printf 'Harga beras naik tipis.\n' | spm_encode --model="$work/spm.model" > "$work/pieces"
[ -s "$work/pieces" ] || fail "the model encodes nothing"
pass
