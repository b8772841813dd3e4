#!/bin/sh
# align's command line: --help on stdout with exit 0, misuse on stderr with
# exit 2, exact output on a small fixture (1-1, 2-1, 1-0, 0-1 and a
# one-sided document), counts balanced in sentences, stdin for one side.
set -eu
. "$(dirname "$0")/lib.sh"
dict=$MTPREP_SOURCE_DIR/corpora/dict.id-en.tsv

expect_exit 0 "$MTPREP" align --help
grep -q '^Usage: mtprep align' "$work/stdout" || fail "--help lacks the usage line"
grep -q -- '--min-score' "$work/stdout" || fail "--help lacks --min-score"
[ ! -s "$work/stderr" ] || fail "--help wrote to stderr"

printf 'd\t1.1\tx\n' > "$work/one"
expect_exit 2 "$MTPREP" align "$work/one"
grep -q '^mtprep align: expected two inputs' "$work/stderr" || fail "one input: wrong message"
expect_exit 2 "$MTPREP" align --min-score 2 "$work/one" "$work/one"
expect_exit 2 "$MTPREP" align --window 0 "$work/one" "$work/one"
expect_exit 2 "$MTPREP" align - -
expect_exit 2 "$MTPREP" align --src-lang fr "$work/one" "$work/one"
expect_exit 1 "$MTPREP" align --dict "$work/missing.tsv" "$work/one" "$work/one"
grep -q 'missing.tsv' "$work/stderr" || fail "missing dictionary not named"

T=$(printf '\t')
cat > "$work/src" <<EOF2
berita/1${T}1.1${T}Presiden Joko Widodo mengunjungi Surabaya pada hari Senin untuk meresmikan jembatan baru.
berita/1${T}1.2${T}Harga beras di pasar naik menjadi 12.500 rupiah per kilogram.
berita/1${T}1.3${T}Kenaikan itu terjadi sejak awal bulan Maret karena panen gagal.
berita/1${T}2.1${T}Sementara itu, cuaca di Bandung cerah berawan sepanjang hari.
berita/1${T}2.2${T}Polisi menangkap tiga tersangka pencurian mobil di Jakarta Selatan.
berita/2${T}1.1${T}Dokumen ini tidak punya pasangan.
berita/3${T}1.1${T}Tim nasional menang 2-0 atas Malaysia di Stadion Gelora Bung Karno.
EOF2
cat > "$work/tgt" <<EOF2
berita/1${T}1.1${T}President Joko Widodo visited Surabaya on Monday to open a new bridge.
berita/1${T}1.2${T}The price of rice at the market rose to 12,500 rupiah per kilogram, an increase that began in early March because the harvest failed.
berita/1${T}1.3${T}Police arrested three suspects in a car theft in South Jakarta.
berita/1${T}1.4${T}The suspects were taken to the police station for questioning about their network.
berita/3${T}1.1${T}The national team beat Malaysia 2-0 at the Gelora Bung Karno Stadium.
EOF2
expect_exit 0 "$MTPREP" align -q --dict "$dict" --counts "$work/counts.json" "$work/src" "$work/tgt"
cut -f 1,2 "$work/stdout" > "$work/units"
cat > "$work/want" <<EOF2
berita/1${T}1.1=1.1
berita/1${T}1.2+1.3=1.2
berita/1${T}2.2=1.3
berita/3${T}1.1=1.1
EOF2
diff "$work/want" "$work/units" || fail "unexpected pairs"
awk -F '\t' 'NF != 5 || $5 < 0.5 || $5 > 1 { exit 1 }' "$work/stdout" || fail "bad pair record or weak score"
[ ! -s "$work/stderr" ] || fail "-q wrote to stderr"

value() {
    v=$(sed -n "s/^ *\"$1\": \([0-9]*\),\{0,1\}$/\1/p" "$work/counts.json")
    echo "${v:-0}"
}
[ "$(value in)" -eq 12 ] || fail "in $(value in), expected 12"
[ "$(value out)" -eq 9 ] || fail "out $(value out), expected 9"
[ "$(value pairs)" -eq 4 ] || fail "pairs $(value pairs), expected 4"
[ "$(value dropped.unaligned_src)" -eq 1 ] || fail "unaligned_src"
[ "$(value dropped.unaligned_tgt)" -eq 1 ] || fail "unaligned_tgt"
[ "$(value dropped.one_sided_doc)" -eq 1 ] || fail "one_sided_doc"
[ "$(value docs.src_only)" -eq 1 ] || fail "docs.src_only"

# Either side may come from stdin; the bytes do not change.
cp "$work/stdout" "$work/files.out"
expect_exit 0 "$MTPREP" align -q --dict "$dict" - "$work/tgt" < "$work/src"
cmp -s "$work/files.out" "$work/stdout" || fail "stdin source changes the output"
expect_exit 0 "$MTPREP" align -q --dict "$dict" "$work/src" - < "$work/tgt"
cmp -s "$work/files.out" "$work/stdout" || fail "stdin target changes the output"

# --emit-nulls writes the 1-0 and 0-1 beads with an empty side and score 0.
expect_exit 0 "$MTPREP" align -q --dict "$dict" --emit-nulls "$work/src" "$work/tgt"
grep -q "^berita/1${T}2.1=${T}Sementara itu, cuaca di Bandung cerah berawan sepanjang hari.${T}${T}0.0000\$" "$work/stdout" ||
    fail "--emit-nulls: 1-0 bead missing"
grep -q "^berita/1${T}=1.4${T}${T}The suspects" "$work/stdout" || fail "--emit-nulls: 0-1 bead missing"

# --min-score 1 drops every pair, counted in sentences.
expect_exit 0 "$MTPREP" align -q --dict "$dict" --min-score 1 --counts "$work/counts.json" "$work/src" "$work/tgt"
[ ! -s "$work/stdout" ] || fail "--min-score 1 kept pairs"
[ "$(value dropped.low_score)" -eq 9 ] || fail "low_score $(value dropped.low_score), expected 9"
pass
