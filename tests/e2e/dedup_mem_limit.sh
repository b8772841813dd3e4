#!/bin/sh
# dedup --mem: a 1K key table holds 51 unique keys (64 home slots, load
# 0.8, no room to grow); the 52nd starts a spill to --tmp-dir, and the run
# still ends with the in-memory output and summary, under --on-error skip
# and fail alike. Repeats of the first 51 keys never spill. A --mem too
# small for any table, and a --tmp-dir that is not a writable directory,
# are usage errors.
set -eu
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { for (i = 1; i <= 200; i++) printf "d\t%d\tkalimat nomor %d\n", i, i % 150 }' > "$work/in"
"$MTPREP" dedup "$work/in" > "$work/want" 2> "$work/want.err"
mkdir "$work/tmp"
for policy in skip fail; do
    expect_exit 0 "$MTPREP" dedup --on-error "$policy" --mem 1K --tmp-dir "$work/tmp" "$work/in"
    cmp "$work/want" "$work/stdout" || fail "$policy: spilled output differs"
    cmp "$work/want.err" "$work/stderr" || fail "$policy: spilled summary differs"
done
[ "$(wc -l < "$work/want")" -eq 150 ] || fail "150 unique records expected"
[ -z "$(ls -A "$work/tmp")" ] || fail "spill files left in --tmp-dir"

awk 'BEGIN { for (i = 1; i <= 500; i++) printf "d\t%d\tkalimat nomor %d\n", i, i % 51 }' > "$work/repeats"
expect_exit 2 "$MTPREP" dedup --mem 1K --tmp-dir "$work/missing" "$work/repeats"
grep -q "^mtprep dedup: --tmp-dir: '$work/missing' is not a writable directory" "$work/stderr" ||
    fail "missing --tmp-dir message"
expect_exit 0 env TMPDIR="$work/missing" "$MTPREP" dedup --mem 1K "$work/repeats"
[ "$(wc -l < "$work/stdout")" -eq 51 ] || fail "51 keys should fit in 1K without spilling"

# without --tmp-dir, $TMPDIR: unused while the table fits; missing at the
# spill, it fails the run with a message naming it
expect_exit 1 env TMPDIR="$work/missing" "$MTPREP" dedup -q --mem 1K "$work/in"
echo "mtprep dedup: cannot create a spill file in $work/missing: No such file or directory" |
    cmp - "$work/stderr" || fail "message for a missing \$TMPDIR"

expect_exit 2 "$MTPREP" dedup --mem 100 "$work/in"
grep -q '^mtprep dedup: --mem 100 is too small (at least 1024 bytes)' "$work/stderr" || fail "tiny --mem message"
pass
