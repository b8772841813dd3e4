#!/bin/sh
# filter on pair records: each bitext rule drops the pair it should and
# counts it by name, Indonesian and English number spellings meet
# (12.750,50 = 12,750.50, Rp 250 juta = 250 million, 10.30 = 10:30, a
# month name for a date's month), each --keep-* option and a zero limit
# turns its rule off, 2 threads give the same bytes, and bad values of the
# pair options are usage errors.
set -eu
. "$(dirname "$0")/lib.sh"

pair() {
    printf 'd\t%s=%s\t%s\t%s\t0.9000\n' "$1" "$1" "$2" "$3" >> "$work/in"
}
: > "$work/in"
pair 1.1 'Harga beras premium Rp 12.750,50 per kilogram.' 'Premium rice costs 12,750.50 rupiah per kilogram.'
pair 1.2 'Pemerintah menyiapkan dana Rp 250 juta.' 'The government set aside 250 million rupiah.'
pair 1.3 'Air setinggi 60 sentimeter pada pukul 10.30 WIB.' 'The water was 60 centimeters deep at 10:30.'
pair 1.4 'Jembatan diresmikan pada Selasa (15/11/2022).' 'The bridge opened on Tuesday, Nov. 15, 2022.'
pair 2.1 'Jakarta Fair dibuka hari ini.' 'JAKARTA FAIR DIBUKA HARI INI!'
pair 2.2 'Warga memindahkan barang berharga ke lantai dua dan ke rumah kerabat mereka di desa.' 'Residents moved out.'
pair 2.3 'Harga cabai naik tajam pekan ini.' 'Цены на перец резко выросли.'
pair 2.4 'Hubungi redaksi@kabarnusa.com untuk koreksi.' 'Write to news@kabarnusa.com for corrections.'
pair 2.5 'Jadwal lengkap ada di kabarnusa.com/jadwal hari ini.' 'The full schedule is at kabarnusa.com/tarif today.'
pair 2.6 'Air merendam sedikitnya 340 rumah warga.' 'The water flooded at least 430 homes.'

"$MTPREP" filter --counts "$work/counts.json" "$work/in" > "$work/out" 2> "$work/err"
cut -f2 "$work/out" | tr '\n' ' ' > "$work/kept"
[ "$(cat "$work/kept")" = "1.1=1.1 1.2=1.2 1.3=1.3 1.4=1.4 " ] || fail "kept: $(cat "$work/kept")"
echo "mtprep filter: in 10, out 4, dropped 6 (identical 1, length_ratio 1, script_ratio 1, email_mismatch 1, url_mismatch 1, number_mismatch 1)" > "$work/want"
cmp "$work/want" "$work/err" || fail "summary: $(cat "$work/err")"
grep -q '"dropped.number_mismatch": 1' "$work/counts.json" || fail "counts file"

# keep OPTIONS -- UNIT: with OPTIONS the pair UNIT passes too.
keep() {
    unit=$1
    shift
    "$MTPREP" filter -q "$@" "$work/in" | cut -f2 | grep -qx "$unit=$unit" || fail "$*: $unit dropped"
}
keep 2.1 --keep-identical
keep 2.2 --max-length-ratio 0
keep 2.2 --max-length-ratio 5
keep 2.2 --length-ratio-min-chars 100
keep 2.3 --min-latin-ratio 0
keep 2.3 --tgt-min-latin-ratio 0
keep 2.4 --keep-email-mismatch
keep 2.5 --keep-url-mismatch
keep 2.6 --keep-number-mismatch

# Only the target side's minimum was lowered: a Cyrillic source still drops.
printf 'd\t1.1=1.1\tЦены на перец резко выросли.\tChili prices rose sharply.\t0.9000\n' > "$work/cyr"
"$MTPREP" filter -q --tgt-min-latin-ratio 0 "$work/cyr" > "$work/out"
[ ! -s "$work/out" ] || fail "--tgt-min-latin-ratio changed the source side"

# Same bytes on 2 threads.
"$MTPREP" filter -q "$work/in" > "$work/one"
"$MTPREP" filter -q --threads 2 "$work/in" > "$work/two"
cmp "$work/one" "$work/two" || fail "--threads 2 differs"

for args in "--max-length-ratio 0.5" "--max-length-ratio x" "--min-latin-ratio 1.5" \
    "--src-min-latin-ratio -1" "--length-ratio-min-chars -3" "--max-length-ratio"; do
    # shellcheck disable=SC2086
    expect_exit 2 "$MTPREP" filter $args
    grep -q '^mtprep filter: ' "$work/stderr" || fail "$args: no message"
    [ ! -s "$work/stdout" ] || fail "$args: output on stdout"
done
expect_exit 0 "$MTPREP" filter --help
grep -q -- '--keep-number-mismatch' "$work/stdout" || fail "--help lacks the pair options"
pass
