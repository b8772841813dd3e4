#!/bin/sh
# verify: one flipped byte in train.id.zst, a missing file, a truncated .zst,
# an edited SHA256SUMS: each exits 3 with a message naming the file; a
# corpus dir without MANIFEST.json exits 1; -q prints nothing on stdout.
set -eu
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"
  for (i = 1; i <= 50; i++)
    printf "doc-%d\t1.1\tKalimat nomor %s%s.\n", i,
      substr(a, i % 26 + 1, 1), substr(a, int(i / 26) + 1, 1) }' \
    >"$work/in.tsv"
"$MTPREP" write -q --out "$work/good" --dev-ratio 0.2 --test-ratio 0.2 "$work/in.tsv"
"$MTPREP" verify -q "$work/good" >"$work/out"
[ ! -s "$work/out" ]

fresh() { rm -rf "$work/c" && cp -R "$work/good" "$work/c"; }
expect() { # expect STATUS PATTERN
    status=0
    "$MTPREP" verify "$work/c" >"$work/out" 2>"$work/err" || status=$?
    [ "$status" -eq "$1" ] || { echo "exit $status, want $1" >&2; cat "$work/err" >&2; exit 1; }
    grep -q -e "$2" "$work/err" || { echo "no '$2' in:" >&2; cat "$work/err" >&2; exit 1; }
}

fresh # flip one bit of byte 20
byte=$(dd if="$work/c/train.id.zst" bs=1 skip=20 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 1)))" |
    dd of="$work/c/train.id.zst" bs=1 seek=20 count=1 conv=notrunc 2>/dev/null
expect 3 "train.id.zst: sha256"
grep -q "^FAILED train.id.zst: sha256" "$work/out"
grep -q "^OK dev.id.zst " "$work/out"

fresh
rm "$work/c/dev.id.zst"
expect 3 "dev.id.zst: missing"

fresh
size=$(wc -c <"$work/c/test.id.zst")
head -c $((size - 5)) "$work/good/test.id.zst" >"$work/c/test.id.zst"
expect 3 "test.id.zst: $((size - 5)) bytes, the manifest says $size"

fresh
awk 'NR == 1 { c = substr($0, 1, 1); $0 = (c == "0" ? "1" : "0") substr($0, 2) } { print }' \
    "$work/good/SHA256SUMS" >"$work/c/SHA256SUMS"
expect 3 "SHA256SUMS: "

fresh
rm "$work/c/MANIFEST.json"
expect 1 "MANIFEST.json: cannot open"
pass
