#!/bin/sh
# filter: each rule drops exactly the records it should and counts them by
# name, limits are inclusive (10 code points kept at --min-chars 10, 9
# dropped), --keep-url-email-number turns the shape rules off, and the
# counts balance.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'd\t1\tPemerintah menaikkan harga BBM hari ini.\n' > "$work/in"
printf 'd\t2\thttps://detik.com/x\n' >> "$work/in"
printf 'd\t3\tredaksi@detik.com\n' >> "$work/in"
printf 'd\t4\t12/6/2025\n' >> "$work/in"
printf 'd\t5\tIbu kota \303\251\n' >> "$work/in"   # 10 code points, 11 bytes
printf 'd\t6\tIbu kota\303\251\n' >> "$work/in"    # 9 code points
printf 'd\t7\tIya begitu\n' >> "$work/in"
printf 'd\t8\tSkor 1-0, 2-1, 3-2.\n' >> "$work/in"
printf 'd\t9\tSatu dua tiga empat lima enam\n' >> "$work/in"

"$MTPREP" filter --counts "$work/counts.json" "$work/in" > "$work/out" 2> "$work/err"
printf 'd\t1\tPemerintah menaikkan harga BBM hari ini.\nd\t5\tIbu kota \303\251\nd\t9\tSatu dua tiga empat lima enam\n' > "$work/want"
cmp "$work/want" "$work/out" || fail "default rules: wrong records kept"
echo "mtprep filter: in 9, out 3, dropped 6 (url_only 1, email_only 1, number_only 1, too_short 1, too_few_words 1, nonletter_ratio 1)" > "$work/want"
cmp "$work/want" "$work/err" || fail "default rules: wrong summary"
grep -q '"dropped.nonletter_ratio": 1' "$work/counts.json" || fail "counts file lacks nonletter_ratio"

# Upper limits: 6 words is one more than --max-words 5.
"$MTPREP" filter -q --max-words 5 "$work/in" | cut -f2 | tr '\n' ' ' > "$work/out"
[ "$(cat "$work/out")" = "5 " ] || fail "--max-words 5 kept: $(cat "$work/out")"
"$MTPREP" filter -q --max-chars 10 --min-words 1 "$work/in" | cut -f2 | tr '\n' ' ' > "$work/out"
[ "$(cat "$work/out")" = "5 7 " ] || fail "--max-chars 10 kept: $(cat "$work/out")"

# Every rule off: everything passes, byte for byte.
"$MTPREP" filter -q --keep-url-email-number --min-words 0 --min-chars 0 \
    --max-nonletter-ratio 1 "$work/in" > "$work/out"
cmp "$work/in" "$work/out" || fail "with every rule off the output differs from the input"

# --langid: a unit guessed to be in the other language goes; a pair's
# source and target each against their own language; an unsure guess stays.
printf 'd\t1\tThe price of rice rose because supply was slow.\n' > "$work/lid"
printf 'd\t2\tHarga beras naik karena pasokan belum lancar.\n' >> "$work/lid"
printf 'd\t3\tPiala Dunia 2026 di Amerika\n' >> "$work/lid"
"$MTPREP" filter --langid id "$work/lid" > "$work/out" 2> "$work/err"
cut -f2 "$work/out" | tr '\n' ' ' > "$work/got"
[ "$(cat "$work/got")" = "2 3 " ] || fail "--langid id kept: $(cat "$work/got")"
grep -q '(langid 1)' "$work/err" || fail "--langid id: $(cat "$work/err")"
"$MTPREP" filter -q --langid en "$work/lid" | cut -f2 | tr '\n' ' ' > "$work/got"
[ "$(cat "$work/got")" = "1 3 " ] || fail "--langid en kept: $(cat "$work/got")"
printf 'd\t1=1\tHarga beras naik karena pasokan belum lancar.\tThe price of rice rose because supply was slow.\t1.0000\n' > "$work/pairs"
"$MTPREP" filter -q --langid id,en "$work/pairs" > "$work/out"
cmp "$work/pairs" "$work/out" || fail "--langid id,en dropped a right pair"
"$MTPREP" filter -q --langid en,id "$work/pairs" > "$work/out"
[ ! -s "$work/out" ] || fail "--langid en,id kept a swapped pair"

# Inconsistent or malformed options are usage errors.
for args in "--min-chars 20 --max-chars 10" "--max-nonletter-ratio 2" "--min-words -1" \
    "--max-chars 1x" "--bogus" "--langid fr" "--langid id,de" "--langid id,"; do
    # shellcheck disable=SC2086
    expect_exit 2 "$MTPREP" filter $args
    grep -q '^mtprep filter: ' "$work/stderr" || fail "$args: no message"
    [ ! -s "$work/stdout" ] || fail "$args: output on stdout"
done
pass
