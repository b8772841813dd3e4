#!/bin/sh
# The manifest names the data files compiled into mtprep (boilerplate rules,
# prefix lists, word list) with their SHA-256, so a corpus says which rules made it.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'd\t1\tSatu kalimat yang cukup panjang untuk korpus ini.\n' |
    "$MTPREP" write -q --out "$work/c" --lang id
for f in boilerplate.id.tsv nonbreaking_prefix.id nonbreaking_prefix.en dict.id-en.tsv; do
    sum=$(sha256sum "$MTPREP_SOURCE_DIR/corpora/$f" | cut -d' ' -f1)
    grep -q "\"$f\": \"$sum\"" "$work/c/MANIFEST.json" || fail "manifest lacks $f $sum"
done
pass
