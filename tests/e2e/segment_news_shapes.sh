#!/bin/sh
# segment: shapes of scraped Indonesian news that ICU alone gets wrong, each
# paragraph one rule (lists after a heading, lists glued to their items, a
# quoted sentence with its attribution after a headline, lower-case sentence
# starts after a name, year or acronym, acting-official titles, and a counted
# noun that is not a list), through the CLI: exact sentences and rule counts.
set -eu
. "$MTPREP_SOURCE_DIR/tests/e2e/lib.sh"

printf '%s\n' \
    'n1	1	Daftar Isi 1. Opsen pajak 2. Harga rokok 3. Tarif air PAM Masyarakat akan menanggung beban baru pada 2025.' \
    'n1	2	Hasil survei:1. PDIP 22,9%2. Gerindra 14,3% 3. Golkar 9%' \
    'n1	3	Eks Menlu Ditunjuk Jadi Komisaris RSIA Bunda "Sekarang kita lagi memastikan kesesuaian dengan program Presiden," ujarnya.' \
    'n1	4	Ia lahir di kota Medan. ia pindah ke Jakarta pada 1998. dan bekerja di BRI. semua berjalan lancar.' \
    'n1	5	Hal itu disampaikan Plt. Kepala BPS Amalia di Jakarta. Pj. Gubernur DKI Heru juga hadir.' \
    'n1	6	Ia dijerat Pasal 27A ayat 1. Lah, di dakwaan jadi Pasal 27B ayat 2. Kok bisa?' \
    > "$work/in.tsv"

"$MTPREP" segment -q --lang id --counts "$work/counts.json" "$work/in.tsv" > "$work/out.tsv"
cmp "$work/out.tsv" "$MTPREP_SOURCE_DIR/tests/e2e/expected/segment_news_shapes.out" || {
    diff "$MTPREP_SOURCE_DIR/tests/e2e/expected/segment_news_shapes.out" "$work/out.tsv" >&2 || true
    fail "sentences differ from expected/segment_news_shapes.out"
}
# The text is never changed: a paragraph's sentences joined give it back, up to
# the white space trimmed at the breaks ("survei:1." has none).
awk -F '\t' '{ split($2, u, "."); if (u[1] == p) t = t $3; else { if (p != "") print p "\t" t; p = u[1]; t = $3 } }
    END { print p "\t" t }' "$work/out.tsv" | tr -d ' ' > "$work/joined.tsv"
cut -f2- "$work/in.tsv" | tr -d ' ' > "$work/squeezed.tsv"
cmp "$work/joined.tsv" "$work/squeezed.tsv" || fail "sentences do not join back to the input"

for count in '"moved.list_start": 1' '"moved.list_marker": 3' '"moved.glued_list_sequence": 2' \
    '"added.attributed_quote": 1' '"added.lower_start": 3' '"suppressed.prefix": 2'; do
    grep -q "$count" "$work/counts.json" || fail "counts lack $count"
done
pass
