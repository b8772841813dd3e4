#!/bin/sh
# write: a small monolingual stream becomes a corpus directory whose files,
# split sizes and cross-split removal match the expected outputs, that
# `sha256sum -c` and `mtprep verify` accept, and that leaves no temporary file.
set -eu
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

# 40 documents of 3 sentences told apart by letters (the loose key ignores
# digits); "Sama." occurs in every one, so once a document holding it is in
# dev or test, train must keep none. The first line, a train sentence,
# differs from dev's "Kalimat pertama dokumen cak." (doc-2) only in case and
# punctuation: it shares its loose key and must go too, although it comes first.
printf 'doc-1\t3.1\tKALIMAT pertama dokumen CAK!\n' >"$work/in.tsv"
awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"
  for (i = 1; i <= 40; i++) {
    w = substr(a, i % 26 + 1, 1) substr(a, int(i / 26) + 1, 1) "k"
    printf "doc-%d\t1.1\tKalimat pertama dokumen %s.\n", i, w
    printf "doc-%d\t1.2\tSama.\n", i
    printf "doc-%d\t2.1\tPenutup %s.\n", i, w } }' >>"$work/in.tsv"

"$MTPREP" write -q --out "$work/c" --dev-ratio 0.1 --test-ratio 0.1 "$work/in.tsv"

ls "$work/c" >"$work/ls.out"
printf '%s\n' MANIFEST.json SHA256SUMS dev.id.zst test.id.zst train.id.zst \
    train.meta.tsv.zst >"$work/ls.want"
diff "$work/ls.want" "$work/ls.out"

(cd "$work/c" && sha256sum -c --quiet SHA256SUMS)
"$MTPREP" verify "$work/c" >"$work/verify.out"
diff "$here/expected/write_basic.verify" "$work/verify.out"
grep -q '"format": "mtprep-corpus-1"' "$work/c/MANIFEST.json"
grep -q '"records": 121' "$work/c/MANIFEST.json"

if command -v zstd >/dev/null 2>&1; then
    for split in train dev test; do
        zstd -dcq "$work/c/$split.id.zst" >"$work/$split.txt"
        diff "$here/expected/write_basic.$split" "$work/$split.txt"
    done
    zstd -dcq "$work/c/train.meta.tsv.zst" >"$work/meta.tsv"
    diff "$here/expected/write_basic.meta" "$work/meta.tsv"
    if grep -qx 'Sama\.' "$work/train.txt"; then
        echo "a dev/test sentence is still in train" >&2
        exit 1
    fi
fi
pass
