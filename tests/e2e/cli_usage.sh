#!/bin/sh
# The CLI's contract: --help on stdout with exit 0, misuse on stderr with exit 2.
set -eu
. "$(dirname "$0")/lib.sh"

"$MTPREP" --help > "$work/out"
grep -q '^Usage: mtprep COMMAND' "$work/out"
"$MTPREP" --version | grep -q '^mtprep [0-9.]* (ICU [0-9.]*, Unicode [0-9.]*, zstd [0-9.]*)$'

expect_exit 2 "$MTPREP"
expect_exit 2 "$MTPREP" no-such-command
grep -q "^mtprep: unknown command 'no-such-command'" "$work/stderr"

for cmd in ingest normalize segment filter dedup write verify stats build; do
    "$MTPREP" "$cmd" --help > "$work/out" 2> "$work/err" || fail "$cmd --help exited non-zero"
    grep -q "^Usage: mtprep $cmd" "$work/out" || fail "$cmd --help has no usage line"
    [ ! -s "$work/err" ] || fail "$cmd --help wrote to stderr"
    expect_exit 2 "$MTPREP" "$cmd" --no-such-option
    grep -q "^mtprep $cmd: " "$work/stderr" || fail "$cmd: misuse message lacks the 'mtprep $cmd:' prefix"
done

expect_exit 2 "$MTPREP" normalize --on-error maybe
grep -q "^mtprep normalize: --on-error takes skip or fail, not 'maybe'" "$work/stderr"
expect_exit 2 "$MTPREP" normalize --max-line-bytes 12x
pass
