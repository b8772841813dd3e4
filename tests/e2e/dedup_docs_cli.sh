#!/bin/sh
# dedup --docs: an edited copy of an article (one word changed, paragraphs
# reordered) is dropped whole, an unrelated article and a partial copy
# (a third of the text gone, Jaccard 0.67) are kept; --clusters names each
# document's cluster by its first document; --threshold 0.6 also drops the
# partial copy; bad option values are usage errors. Skips until the
# subcommand has --docs.
set -eu
. "$(dirname "$0")/lib.sh"

"$MTPREP" dedup --help 2>/dev/null | grep -q -- '--docs' || {
    echo "SKIP: mtprep dedup has no --docs yet"
    exit 77
}

p1='Pemerintah provinsi mengumumkan rencana pembangunan jalan tol baru yang menghubungkan dua kota besar di pulau Jawa bagian timur.'
ed='Pemerintah provinsi mengumumkan rencana pembangunan jalan raya baru yang menghubungkan dua kota besar di pulau Jawa bagian timur.'
p2='Proyek tersebut diperkirakan menelan biaya sekitar empat triliun rupiah dan akan selesai dalam waktu tiga tahun, menurut kepala dinas.'
p3='Warga setempat menyambut baik rencana itu karena perjalanan antarkota selama ini memakan waktu lama terutama pada musim libur panjang.'
u1='Tim nasional sepak bola putri meraih medali perunggu setelah mengalahkan lawannya dengan skor tipis pada laga terakhir turnamen.'
printf 'a\t1\t%s\na\t2\t%s\na\t3\t%s\n' "$p1" "$p2" "$p3" > "$work/a"
printf 'u\t1\t%s\n' "$u1" > "$work/u"
printf 'b\t1\t%s\nb\t2\t%s\nb\t3\t%s\n' "$p3" "$ed" "$p2" > "$work/b"
printf 'c\t1\t%s\nc\t2\t%s\n' "$p1" "$p2" > "$work/c"
cat "$work/a" "$work/u" "$work/b" "$work/c" > "$work/in"

expect_exit 0 "$MTPREP" dedup --docs --clusters "$work/clusters" "$work/in"
cat "$work/a" "$work/u" "$work/c" | cmp - "$work/stdout" || fail "default threshold output"
printf 'a\ta\nu\tu\nb\ta\nc\tc\n' | cmp - "$work/clusters" || fail "clusters file"
[ ! -e "$work/clusters.tmp" ] || fail "temporary clusters file left behind"

expect_exit 0 "$MTPREP" dedup --docs --threshold 0.6 "$work/in"
cat "$work/a" "$work/u" | cmp - "$work/stdout" || fail "threshold 0.6 output"

expect_exit 0 "$MTPREP" dedup --docs --counts "$work/counts.json" "$work/in"
grep -q '"dropped.near_duplicate_doc": *3' "$work/counts.json" || fail "per-record drop count"
grep -q '"documents_dropped": *1' "$work/counts.json" || fail "document drop count"

expect_exit 2 "$MTPREP" dedup --docs --threshold 1.5 "$work/in"
expect_exit 2 "$MTPREP" dedup --docs --threshold abc "$work/in"
pass
