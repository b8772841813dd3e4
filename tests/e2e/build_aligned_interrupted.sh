#!/bin/sh
# An aligned build killed while it runs (SIGTERM; SIGINT and SIGHUP take the
# same handler) leaves neither its spool directory nor a complete-looking
# corpus. The target input is a FIFO nobody writes to, so the build waits on
# it after spooling the source side, a moment the test can catch.
set -eu
. "$(dirname "$0")/lib.sh"

sample=$MTPREP_SOURCE_DIR/corpora/sample
mkfifo "$work/en.txt"
mkdir "$work/out"
printf '[build]\ninput = %s/id\ntgt-input = %s/en.txt\noutput = %s/out/corpus\n' \
    "$sample" "$work" "$work" > "$work/r.recipe"
"$MTPREP" build -q "$work/r.recipe" 2> "$work/stderr" &
pid=$!

# Wait (at most about 30 s) until the source side is spooled.
i=0
until ls "$work"/out/.mtprep-spool-*/source.records > /dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -le 300 ] || {
        kill "$pid"
        fail "the source spool never appeared"
    }
    sleep 0.1
done
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -ne 0 ] || fail "the killed build exited 0"
for d in "$work"/out/.mtprep-spool-*; do
    [ ! -e "$d" ] || fail "spool directory $d left behind"
done
[ ! -e "$work/out/corpus/MANIFEST.json" ] || fail "a killed build left a MANIFEST.json"
! find "$work/out" -name '*.tmp-mtprep' | grep -q . || fail "temporaries left behind"
pass
