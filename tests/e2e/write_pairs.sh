#!/bin/sh
# write --tgt-lang: aligned pair records become line-aligned source and
# target files per split plus "doc_id TAB units TAB score" metadata; a train
# pair whose target matches a dev/test target (loose key) is dropped; the
# corpus passes `sha256sum -c` and verify; unit records are refused.
set -eu
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"
  for (i = 1; i <= 30; i++) {
    w = substr(a, i % 26 + 1, 1) substr(a, int(i / 26) + 1, 1)
    printf "doc-%d\t1.1=1.1\tKalimat %s.\tSentence %s.\t0.9%03d\n", i, w, w, i
    printf "doc-%d\t1.2+1.3=1.2\tDua %s, tiga.\tTwo three %s.\t0.5000\n", i, w, w } }' \
    >"$work/in.tsv"
# doc-2 goes to dev at these ratios; this train pair shares its target's loose key.
printf 'doc-1\t2.1=2.1\tLain sama sekali.\tSENTENCE CA!\t1.0000\n' >>"$work/in.tsv"

"$MTPREP" write -q --out "$work/c" --tgt-lang en --dev-ratio 0.1 --test-ratio 0.1 \
    "$work/in.tsv"
(cd "$work/c" && sha256sum -c --quiet SHA256SUMS)
"$MTPREP" verify "$work/c" >"$work/verify.out"
diff "$here/expected/write_pairs.verify" "$work/verify.out"
grep -q '"tgt_lang": "en"' "$work/c/MANIFEST.json"
grep -q '"dropped.cross_split_loose": 1' "$work/c/MANIFEST.json"

if command -v zstd >/dev/null 2>&1; then
    zstd -dcq "$work/c/dev.id.zst" | grep -qx 'Kalimat ca\.' || fail "doc-2 is not in dev"
    zstd -dcq "$work/c/train.en.zst" | grep -qi 'sentence ca' && fail "cross-split pair kept"
    zstd -dcq "$work/c/train.meta.tsv.zst" | head -n 2 >"$work/meta"
    printf 'doc-1\t1.1=1.1\t0.9001\ndoc-1\t1.2+1.3=1.2\t0.5000\n' | diff - "$work/meta"
fi

printf 'doc-1\t1\tSatu.\n' >"$work/units.tsv"
expect_exit 2 "$MTPREP" write -q --out "$work/d" --tgt-lang en "$work/units.tsv"
grep -q "a unit record, but write was given a target language" "$work/stderr" ||
    fail "unit record message"
[ ! -e "$work/d/MANIFEST.json" ]
pass
