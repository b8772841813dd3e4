#!/bin/sh
# write: two runs over the same records, one from a file and one from stdin,
# give byte-identical corpus directories (manifest and checksums included).
set -eu
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { a = "abcdefghijklmnopqrstuvwxyz"
  for (i = 1; i <= 300; i++)
    for (s = 1; s <= 4; s++)
      printf "berita/%04d\t1.%d\tKalimat %s dari berita %s%s.\n", i, s,
        substr(a, s, 1), substr(a, i % 26 + 1, 1), substr(a, int(i / 26) + 1, 1) }' \
    >"$work/in.tsv"

"$MTPREP" write -q --out "$work/a" "$work/in.tsv"
"$MTPREP" write -q --out "$work/b" <"$work/in.tsv"
for name in MANIFEST.json SHA256SUMS dev.id.zst test.id.zst train.id.zst train.meta.tsv.zst; do
    cmp "$work/a/$name" "$work/b/$name"
done

# A rerun into an existing corpus replaces it and verifies.
"$MTPREP" write -q --out "$work/a" --level 9 "$work/in.tsv"
"$MTPREP" verify -q "$work/a"
grep -q '"zstd_level": 9' "$work/a/MANIFEST.json"
pass
