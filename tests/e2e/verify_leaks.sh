#!/bin/sh
# verify --leaks: a corpus from write passes (exit 0, one OK line); a train
# file carrying a dev sentence in other case and punctuation is reported
# with file, line and key kind, exit 3; --mem too small for the dev/test
# keys exits 1, as it does for write; --mem takes a size.
set -eu
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"
  for (i = 1; i <= 40; i++) {
    w = substr(a, i % 26 + 1, 1) substr(a, int(i / 26) + 1, 1) "k"
    printf "doc-%d\t1.1\tKalimat pertama dokumen %s.\n", i, w
    printf "doc-%d\t1.2\tSama.\n", i } }' >"$work/in.tsv"
"$MTPREP" write -q --out "$work/c" --dev-ratio 0.1 --test-ratio 0.1 "$work/in.tsv"
"$MTPREP" verify --leaks "$work/c" >"$work/out"
tail -n 1 "$work/out" >"$work/last"
echo "OK no train line shares a key with dev or test (30 train lines)" | diff - "$work/last"
"$MTPREP" verify -q --leaks --mem 64K "$work/c"

expect_exit 1 "$MTPREP" verify -q --leaks --mem 16 "$work/c"
grep -q "raise --mem\|cannot make the key set" "$work/stderr" || fail "--mem message"
expect_exit 2 "$MTPREP" verify --leaks --mem lots "$work/c"

command -v zstd >/dev/null 2>&1 || { pass; exit 0; }
{ zstd -dcq "$work/c/train.id.zst"; echo 'SAMA'; } | zstd -q -o "$work/train.zst"
cp "$work/train.zst" "$work/c/train.id.zst"
expect_exit 3 "$MTPREP" verify --leaks "$work/c"
grep -qx "FAILED train.id.zst:31: shares its loose key with dev or test" "$work/stdout" ||
    fail "leak line"
pass
