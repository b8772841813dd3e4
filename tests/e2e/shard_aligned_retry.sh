#!/bin/sh
# Retrying a sharded run of the aligned sample recipe: align refuses before
# every map is done and reduce before align; a map killed mid-run (SIGKILL)
# leaves no marker, and its rerun removes the temporaries a killed run
# left; two copies of one map running at once, and align rerun after its
# marker is lost, still give the corpus of `mtprep build` byte for byte.
set -eu
. "$(dirname "$0")/lib.sh"

cd "$MTPREP_SOURCE_DIR"
recipe=corpora/recipes/sample-id-en.recipe
"$MTPREP" build -q --out "$work/ref" "$recipe"
run=$work/run
out=$work/out
"$MTPREP" plan -q --shards 3 --partitions 2 --out "$out" --run "$run" "$recipe"

# Prerequisites.
"$MTPREP" task -q map "$run" 2
expect_exit 1 "$MTPREP" task align "$run" 0
grep -q 'align needs every map task done first; 2 missing: 0 1' "$work/stderr" ||
    fail "align did not name the missing maps: $(cat "$work/stderr")"
[ ! -e "$run/align/shard-00000.rec.zst" ] || fail "a refused align wrote a part"
expect_exit 2 "$MTPREP" task align "$run" 1
grep -q 'align has ranks 0 to 0 under this plan, not 1' "$work/stderr" || fail "align rank 1"

# Map 0 killed mid-run: no marker. Its rerun removes the dead run's temporaries.
"$MTPREP" task -q map "$run" 0 &
pid=$!
kill -KILL "$pid" 2> /dev/null || true
wait "$pid" 2> /dev/null || true
if [ -e "$run/done/map/00000" ]; then
    rm "$run/done/map/00000" # it finished before the kill: lose it instead
fi
sh -c 'exit 0' &
gone=$!
wait "$gone"
for f in map/shard-00000.src.rec.zst map/shard-00000.tgt.rec.zst map/shard-00000.segment.en.json \
    done/map/00000; do
    printf 'garbage' > "$run/$f.$gone.tmp-mtprep"
done
[ "$("$MTPREP" status --missing map "$run")" = "$(printf '0\n1')" ] || fail "status after the kill"
expect_exit 1 "$MTPREP" task reduce "$run" 0
grep -q 'reduce needs every map task done first; 2 missing: 0 1' "$work/stderr" ||
    fail "reduce did not name the missing maps"
"$MTPREP" task -q map "$run" 0
for f in map/shard-00000.src.rec.zst map/shard-00000.tgt.rec.zst map/shard-00000.segment.en.json \
    done/map/00000; do
    [ ! -e "$run/$f.$gone.tmp-mtprep" ] || fail "the stale temporary $f.$gone.tmp-mtprep stayed"
done

# Two copies of map 1 at once (a task run twice): each writes its own temporaries.
"$MTPREP" task -q map "$run" 1 &
twin=$!
"$MTPREP" task -q map "$run" 1 || fail "one copy of map 1 failed"
wait "$twin" || fail "the other copy of map 1 failed"
[ -z "$(find "$run" -name '*.tmp-mtprep')" ] || fail "temporaries left: $(find "$run" -name '*.tmp-mtprep')"

expect_exit 1 "$MTPREP" task reduce "$run" 1
grep -q 'reduce needs every align task done first; 1 missing: 0' "$work/stderr" ||
    fail "reduce did not wait for align: $(cat "$work/stderr")"
"$MTPREP" task -q align "$run" 0
for k in 1 0; do "$MTPREP" task -q reduce "$run" "$k"; done
for k in 2 0 1; do "$MTPREP" task -q write "$run" "$k"; done
"$MTPREP" task -q assemble "$run" 0
same_corpus "$work/ref" "$out" "first run"
expect_exit 0 "$MTPREP" task align "$run" 0
grep -qx 'mtprep task: align 00000 already done' "$work/stderr" || fail "no 'already done'"

# Align lost (a part and the marker) and a stale part temporary: redone, same bytes.
rm "$run/done/align/00000" "$run/align/shard-00001.rec.zst"
printf 'garbage' > "$run/align/shard-00001.rec.zst.$gone.tmp-mtprep"
printf 'garbage' > "$run/keys/part-000/shard-00002.keys.$gone.tmp-mtprep"
[ "$("$MTPREP" status --missing align "$run")" = 0 ] || fail "status does not list align 0"
"$MTPREP" task -q align "$run" 0
[ ! -e "$run/align/shard-00001.rec.zst.$gone.tmp-mtprep" ] || fail "a stale part temporary stayed"
[ ! -e "$run/keys/part-000/shard-00002.keys.$gone.tmp-mtprep" ] || fail "a stale keys temporary stayed"
rm -r "$run/done/reduce" "$run/done/write" "$run/done/assemble" "$out"
for k in 0 1; do "$MTPREP" task -q reduce "$run" "$k"; done
for k in 0 1 2; do "$MTPREP" task -q write "$run" "$k"; done
"$MTPREP" task -q assemble "$run" 0
same_corpus "$work/ref" "$out" "after re-running align"
pass
