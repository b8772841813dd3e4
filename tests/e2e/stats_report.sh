#!/bin/sh
# stats: the exact text and JSON reports of a small mixed unit/pair stream
# (expected/stats_report.*); --pass copies the records byte for byte and
# writes the report to --json-out; empty input reports zeros; a malformed
# line is counted (skip) or stops the run (fail); --stage-counts tabulates
# earlier stages' drops; an unwritable --out fails.
set -eu
. "$(dirname "$0")/lib.sh"
expected=$(dirname "$0")/expected

printf 'a\t1\tSatu dua tiga.\na\t2\t\303\211.\nb\t1\tHalo\n' > "$work/in"
printf 'b\t2.1=2.1\tHarga naik.\tPrices rose sharply.\t0.9000\n' >> "$work/in"

"$MTPREP" stats "$work/in" > "$work/out" 2> "$work/err"
cmp "$expected/stats_report.txt" "$work/out" || fail "text report differs"
[ ! -s "$work/err" ] || fail "stats without drops wrote to stderr"
"$MTPREP" stats --json < "$work/in" > "$work/out"
cmp "$expected/stats_report.json" "$work/out" || fail "JSON report differs"

"$MTPREP" stats --pass --json-out "$work/report.json" "$work/in" > "$work/out" 2> "$work/err"
cmp "$work/in" "$work/out" || fail "--pass changed the records"
cmp "$expected/stats_report.json" "$work/report.json" || fail "--json-out report differs"
echo "mtprep stats: in 4, out 4, dropped 0" | cmp - "$work/err" || fail "--pass summary"
[ ! -e "$work/report.json.tmp-mtprep" ] || fail "temporary report left behind"

"$MTPREP" stats --pass -q "$work/in" > "$work/out" 2> "$work/err"
cmp "$expected/stats_report.txt" "$work/err" || fail "--pass report should go to stderr"

printf 'records               0  (units 0, pairs 0)\ndocuments             0\n' > "$work/want"
"$MTPREP" stats < /dev/null | cmp "$work/want" - || fail "empty input"

printf 'not a record\n' >> "$work/in"
"$MTPREP" stats --json "$work/in" > "$work/out" 2> "$work/err"
grep -q '^mtprep stats: in 5, out 4, dropped 1 (field_count 1)$' "$work/err" || fail "skip summary"
expect_exit 1 "$MTPREP" stats --on-error fail "$work/in"
grep -q "^mtprep stats: $work/in:5: field_count" "$work/stderr" || fail "fail message"

# --stage-counts: each earlier stage's in/out/drops, in the order given.
head -n 4 "$work/in" > "$work/records"
"$MTPREP" filter -q --counts "$work/filter.json" "$work/records" > "$work/filtered"
"$MTPREP" dedup -q --counts "$work/dedup.json" "$work/filtered" > /dev/null
"$MTPREP" stats --stage-counts "$work/filter.json" --stage-counts "$work/dedup.json" \
    < /dev/null | tail -n 3 > "$work/out"
cat > "$work/want" << 'EOF'
stage                  in          out        split      dropped  reasons
filter                  4            1            0            3  too_short 2, too_few_words 1
dedup                   1            1            0            0
EOF
cmp "$work/want" "$work/out" || fail "--stage-counts table differs"
"$MTPREP" stats --json --stage-counts "$work/filter.json" < /dev/null |
    jq -e '.stages[0].counts["dropped.too_short"] == 2' > /dev/null || fail "--stage-counts JSON"
expect_exit 1 "$MTPREP" stats --stage-counts "$work/records" < /dev/null
grep -q "not a counts file" "$work/stderr" || fail "bad --stage-counts file message"

expect_exit 1 "$MTPREP" stats --out "$work/no/such/dir/r.txt" "$work/in"
expect_exit 2 "$MTPREP" stats --out
pass
