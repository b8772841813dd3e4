#!/bin/sh
# ulimit -S and -H are not POSIX, but dash and bash both take them.
# shellcheck disable=SC3045
# reduce opens every shard's keys file at once: with 100 shards and a soft
# open-file limit of 64 it raises the limit itself and completes (with the
# duplicates found), and with a hard limit too low it fails naming the need,
# the limit and the remedy, writing no marker.
set -eu
. "$(dirname "$0")/lib.sh"

# 300 documents, every third a copy of an earlier one.
awk 'BEGIN {
    for (i = 0; i < 300; i++)
        printf "{\"id\": \"d%03d\", \"text\": \"Berita nomor %d tentang harga beras di pasar.\"}\n", i, i % 200
}' > "$work/in.jsonl"
printf '[build]\ninput = %s\noutput = %s\nlang = id\n' "$work/in.jsonl" "$work/out" > "$work/r.recipe"
run=$work/run
"$MTPREP" plan -q --shards 100 --partitions 2 --run "$run" "$work/r.recipe"
k=0
while [ "$k" -lt 100 ]; do
    "$MTPREP" task -q map "$run" "$k"
    k=$((k + 1))
done

(
    ulimit -Sn 64
    "$MTPREP" task reduce "$run" 0 2> "$work/reduce0.err"
) || fail "reduce with a soft limit of 64: $(cat "$work/reduce0.err")"
[ -e "$run/done/reduce/00000" ] || fail "reduce 0 wrote no marker"

set +e
(
    ulimit -Sn 64
    ulimit -Hn 80
    "$MTPREP" task reduce "$run" 1 2> "$work/reduce1.err"
)
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "reduce under a hard limit of 80: exit $rc, expected 1"
grep -q "reduce reads every shard's keys at once: 116 open files, but this host allows 80 (ulimit -Hn); plan fewer shards or raise the limit" \
    "$work/reduce1.err" || fail "message: $(cat "$work/reduce1.err")"
[ ! -e "$run/done/reduce/00001" ] || fail "a failed reduce wrote a marker"

"$MTPREP" task -q reduce "$run" 1
# 300 keys in, 200 first occurrences out, over the two partitions.
sum() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" "$run"/done/reduce/0000[01] | awk '{ s += $1 } END { print s }'; }
[ "$(sum records_in)" -eq 300 ] && [ "$(sum records_out)" -eq 200 ] ||
    fail "reduce kept $(sum records_out) of $(sum records_in) keys, expected 200 of 300"
pass
