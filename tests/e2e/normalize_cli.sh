#!/bin/sh
# normalize CLI: --help prints the usage on stdout and exits 0; an unknown
# option, a bad --form value or a missing argument exit 2 with a message on
# stderr and nothing on stdout; no input gives no output.
set -eu
. "$(dirname "$0")/lib.sh"

"$MTPREP" normalize --help >"$work/out" 2>"$work/err"
grep -q '^Usage: mtprep normalize \[OPTIONS\] \[FILE\.\.\.\]' "$work/out"
for option in --form --no-punct --no-mojibake --on-error --counts; do
    grep -q -- "$option" "$work/out"
done
test ! -s "$work/err"

expect_usage_error() {
    expect_exit 2 "$MTPREP" normalize "$@" </dev/null
    test ! -s "$work/stdout" || fail "stdout not empty for: $*"
    test -s "$work/stderr" || fail "no message for: $*"
}
expect_usage_error --bogus
expect_usage_error --form nfd
expect_usage_error --form
expect_usage_error --on-error maybe

"$MTPREP" normalize -q </dev/null >"$work/out"
test ! -s "$work/out"
pass
