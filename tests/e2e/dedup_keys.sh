#!/bin/sh
# dedup: the first occurrence is kept in input order; --key exact is
# byte-exact; --key loose folds case, punctuation, symbols, digits and
# spaces ("Harga naik 5%." = "harga naik 7 %") but keeps letterless texts
# apart unless identical; pair records key on src+tgt or src alone; two runs
# give the same bytes; counts balance; --docs-only options need --docs.
set -eu
. "$(dirname "$0")/lib.sh"

cat > "$work/in" <<'TSV'
a	1	Harga naik 5%.
a	2	harga naik 7 %
a	3	Harga naik 5%.
b	1	12/6/2025
b	2	1.234,50
b	3	12/6/2025
b	4	HARGA NAIK!
TSV

"$MTPREP" dedup "$work/in" > "$work/out" 2> "$work/err"
printf 'a\t1\tHarga naik 5%%.\na\t2\tharga naik 7 %%\nb\t1\t12/6/2025\nb\t2\t1.234,50\nb\t4\tHARGA NAIK!\n' > "$work/want"
cmp "$work/want" "$work/out" || fail "exact: wrong records"
echo "mtprep dedup: in 7, out 5, dropped 2 (duplicate_exact 2)" | cmp - "$work/err" || fail "exact: summary"

"$MTPREP" dedup --key loose "$work/in" > "$work/out" 2> "$work/err"
printf 'a\t1\tHarga naik 5%%.\nb\t1\t12/6/2025\nb\t2\t1.234,50\n' > "$work/want"
cmp "$work/want" "$work/out" || fail "loose: wrong records"
echo "mtprep dedup: in 7, out 3, dropped 4 (duplicate_loose 4)" | cmp - "$work/err" || fail "loose: summary"

"$MTPREP" dedup -q --key loose "$work/in" > "$work/again"
cmp "$work/out" "$work/again" || fail "two runs differ"

printf 'd\t1.1=1.1\tHalo.\tHello.\t0.9000\nd\t2.1=2.1\tHalo.\tHi.\t0.8000\ne\t1.1=1.1\tHalo.\tHello.\t0.7000\n' > "$work/pairs"
[ "$("$MTPREP" dedup -q "$work/pairs" | wc -l)" -eq 2 ] || fail "--key-side pair"
[ "$("$MTPREP" dedup -q --key-side src "$work/pairs" | wc -l)" -eq 1 ] || fail "--key-side src"

expect_exit 2 "$MTPREP" dedup --key fuzzy
grep -q "^mtprep dedup: --key takes exact or loose, not 'fuzzy'" "$work/stderr" || fail "bad --key message"
expect_exit 2 "$MTPREP" dedup --key-side tgt
expect_exit 2 "$MTPREP" dedup --mem 12Q
# options of the other mode are refused, not ignored
expect_exit 2 "$MTPREP" dedup --threshold 0.5 "$work/in"
grep -q "^mtprep dedup: --threshold needs --docs" "$work/stderr" || fail "--threshold without --docs"
expect_exit 2 "$MTPREP" dedup --docs --key loose "$work/in"
grep -q "^mtprep dedup: --key does not apply to --docs" "$work/stderr" || fail "--key with --docs"
pass
