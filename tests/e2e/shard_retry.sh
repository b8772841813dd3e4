#!/bin/sh
# Retrying a sharded run: a done task does nothing ("already done"); a task
# whose prerequisites are missing refuses and names them; deleting one map
# output with its marker and re-running that map, then reduce, write and
# assemble after removing their markers, gives the same bytes; leftovers of
# a killed task (temporary files NAME.PID.tmp-mtprep) are removed by its
# rerun, but not those of a process still running.
set -eu
. "$(dirname "$0")/lib.sh"

cd "$MTPREP_SOURCE_DIR"
recipe=corpora/recipes/sample-id.recipe
"$MTPREP" build -q --out "$work/ref" "$recipe"
run=$work/run
out=$work/out
"$MTPREP" plan -q --shards 3 --partitions 2 --out "$out" --run "$run" "$recipe"

# Prerequisites: reduce before the maps, write before the reduces, assemble before the writes.
"$MTPREP" task -q map "$run" 1
expect_exit 1 "$MTPREP" task reduce "$run" 0
grep -q 'reduce needs every map task done first; 2 missing: 0 2' "$work/stderr" ||
    fail "reduce did not name the missing maps: $(cat "$work/stderr")"
[ ! -e "$run/drop/part-000.drop" ] || fail "a refused reduce wrote its output"
"$MTPREP" task -q map "$run" 0
"$MTPREP" task -q map "$run" 2
expect_exit 1 "$MTPREP" task write "$run" 0
grep -q 'write needs every reduce task done first; 2 missing: 0 1' "$work/stderr" ||
    fail "write did not name the missing reduces"
"$MTPREP" task -q reduce "$run" 1
"$MTPREP" task -q reduce "$run" 0
"$MTPREP" task -q write "$run" 2
expect_exit 1 "$MTPREP" task assemble "$run" 0
grep -q 'assemble needs every write task done first; 2 missing: 0 1' "$work/stderr" ||
    fail "assemble did not name the missing writes"
"$MTPREP" task -q write "$run" 0
"$MTPREP" task -q write "$run" 1
"$MTPREP" task -q assemble "$run" 0
same_corpus "$work/ref" "$out" "first run"

# Idempotency: a done task does nothing, not even touch its outputs.
before=$(ls -l --time-style=+%s.%N "$run/map" "$run/done/map")
expect_exit 0 "$MTPREP" task map "$run" 1
grep -qx 'mtprep task: map 00001 already done' "$work/stderr" || fail "no 'already done'"
expect_exit 0 "$MTPREP" task assemble "$run" 0
grep -qx 'mtprep task: assemble 00000 already done' "$work/stderr" || fail "assemble redone"
[ "$(ls -l --time-style=+%s.%N "$run/map" "$run/done/map")" = "$before" ] ||
    fail "a done map task rewrote its files"

# Lose map 1 (output and marker), as if its task had been killed: its
# temporaries (NAME.PID.tmp-mtprep, of a process that is gone) stay behind.
# A temporary of a process still running here (this shell, standing for a
# second copy of the task) is not the task's to remove.
rm "$run/done/map/00001" "$run/map/shard-00001.rec.zst"
sh -c 'exit 0' &
gone=$!
wait "$gone"
kill -0 "$gone" 2> /dev/null && fail "pid $gone still runs"
printf 'garbage' > "$run/map/shard-00001.rec.zst.$gone.tmp-mtprep"
printf 'garbage' > "$run/map/shard-00001.ingest.json.$gone.tmp-mtprep"
printf 'garbage' > "$run/keys/part-001/shard-00001.keys.$gone.tmp-mtprep"
printf 'garbage' > "$run/done/map/00001.$gone.tmp-mtprep"
printf 'garbage' > "$run/map/shard-00001.rec.zst.tmp-mtprep" # the older fixed names
printf 'garbage' > "$run/done/map/00001.tmp-mtprep"
printf 'garbage' > "$run/map/shard-00001.rec.zst.$$.tmp-mtprep"
printf 'garbage' > "$run/map/shard-00002.rec.zst.$gone.tmp-mtprep" # another rank's
[ "$("$MTPREP" status --missing map "$run")" = 1 ] || fail "status does not list map 1"
"$MTPREP" task -q map "$run" 1
for f in map/shard-00001.rec.zst.$gone.tmp-mtprep map/shard-00001.ingest.json.$gone.tmp-mtprep \
    keys/part-001/shard-00001.keys.$gone.tmp-mtprep done/map/00001.$gone.tmp-mtprep \
    map/shard-00001.rec.zst.tmp-mtprep done/map/00001.tmp-mtprep; do
    [ ! -e "$run/$f" ] || fail "the stale temporary $f stayed"
done
[ -e "$run/map/shard-00001.rec.zst.$$.tmp-mtprep" ] || fail "a running process's temporary went"
[ -e "$run/map/shard-00002.rec.zst.$gone.tmp-mtprep" ] || fail "map 1 removed map 2's temporary"
rm "$run/map/shard-00001.rec.zst.$$.tmp-mtprep" "$run/map/shard-00002.rec.zst.$gone.tmp-mtprep"
rm -r "$run/done/reduce" "$run/done/write" "$run/done/assemble" "$out"
for k in 1 0; do "$MTPREP" task -q reduce "$run" "$k"; done
for k in 2 1 0; do "$MTPREP" task -q write "$run" "$k"; done
"$MTPREP" task -q assemble "$run" 0
same_corpus "$work/ref" "$out" "after re-running map 1"

# A marker of another plan does not count: the task is redone.
sed 's/"plan_digest": "[0-9a-f]*"/"plan_digest": "0000"/' "$run/done/write/00002" > "$work/m"
cp "$work/m" "$run/done/write/00002"
[ "$("$MTPREP" status --missing write "$run")" = 2 ] || fail "a foreign marker counted"
expect_exit 0 "$MTPREP" task write "$run" 2
! grep -q 'already done' "$work/stderr" || fail "a foreign marker made the task skip"
grep -q "\"plan_digest\": \"$(sed -n 's/.*"plan_digest": "\([0-9a-f]*\)".*/\1/p' "$run/plan.json")\"" \
    "$run/done/write/00002" || fail "the redone task did not write the plan's digest"
pass
