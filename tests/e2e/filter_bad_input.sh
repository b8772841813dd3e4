#!/bin/sh
# filter: an invalid UTF-8 record is dropped and counted under skip, and
# stops the run naming file and line under --on-error fail.
set -eu
. "$(dirname "$0")/lib.sh"

printf 'd\t1\tHarga cabai naik lagi pekan ini.\n' > "$work/in"
printf 'd\t2\tHarga \377 naik lagi pekan ini.\n' >> "$work/in"
printf 'd\t3\tWarga mengantre sejak pagi hari.\n' >> "$work/in"

"$MTPREP" filter "$work/in" > "$work/out" 2> "$work/err"
[ "$(cut -f2 "$work/out" | tr '\n' ' ')" = "1 3 " ] || fail "skip: wrong records"
grep -q '^mtprep filter: in 3, out 2, dropped 1 (invalid_utf8 1)$' "$work/err" || fail "skip: summary"

expect_exit 1 "$MTPREP" filter --on-error fail "$work/in"
grep -q "^mtprep filter: $work/in:2: invalid_utf8" "$work/stderr" || {
    cat "$work/stderr" >&2
    fail "fail: message does not name file and line"
}
pass
