#!/bin/sh
# dedup: a spill file that cannot be written (here the file size limit,
# `ulimit -f`, standing in for a full disk) fails the run with exit 1 and a
# message naming the file; nothing is left in --tmp-dir.
set -eu
. "$(dirname "$0")/lib.sh"

awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "d\t%d\tkalimat nomor %d yang agak panjang\n", i, i }' > "$work/in"
mkdir "$work/tmp"
# 64 blocks of 512 bytes: the spool outgrows it long before the end; with
# SIGXFSZ ignored, write() fails with EFBIG instead of killing the process
set +e
(
    trap '' XFSZ
    ulimit -f 64
    exec "$MTPREP" dedup -q --mem 4K --tmp-dir "$work/tmp" "$work/in" > /dev/null 2> "$work/stderr"
)
code=$?
set -e
[ "$code" -eq 1 ] || fail "exit $code, expected 1"
grep -q "^mtprep dedup: cannot write spill file $work/tmp/mtprep-dedup-[A-Za-z0-9]\{6\}: File too large\$" \
    "$work/stderr" || { cat "$work/stderr" >&2; fail "message should name the spill file"; }
[ -z "$(ls -A "$work/tmp")" ] || fail "spill files left behind"
pass
