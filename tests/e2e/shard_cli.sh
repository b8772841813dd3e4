#!/bin/sh
# The command lines of plan, task and status: --help, misuse (exit 2),
# planning the same run again (kept) or a different one (refused without
# --force, which wipes the old tasks), an input changed after the plan,
# refused inputs (stdin, unreadable), a bad [write] option refused at plan
# time (monolingual and aligned), status's exact output, and the align
# stage of a monolingual plan (no rank: "align 0/0", refused as a task).
set -eu
. "$(dirname "$0")/lib.sh"

for cmd in plan task status; do
    expect_exit 0 "$MTPREP" "$cmd" --help
    grep -q "^Usage: mtprep $cmd " "$work/stdout" || fail "$cmd --help: no usage on stdout"
    [ ! -s "$work/stderr" ] || fail "$cmd --help wrote to stderr"
done
grep -q 'status \[--missing STAGE\] RUN' "$work/stdout" || fail "status --help lacks --missing"

mkdir "$work/in"
printf '{"id": "a", "text": "Harga beras naik lagi di pasar pagi ini."}\n' > "$work/in/a.jsonl"
printf '{"id": "b", "text": "Hujan deras turun sejak sore di kota itu."}\n' >> "$work/in/a.jsonl"
cat > "$work/r.recipe" <<RECIPE
[build]
input = $work/in
output = $work/out
RECIPE
run=$work/run

# Misuse.
expect_exit 2 "$MTPREP" plan "$work/r.recipe"
grep -q -- '--run RUN is required' "$work/stderr" || fail "plan without --run"
expect_exit 2 "$MTPREP" plan --shards 0 --run "$run" "$work/r.recipe"
expect_exit 2 "$MTPREP" plan --partitions 1000 --run "$run" "$work/r.recipe"
expect_exit 2 "$MTPREP" plan --bogus --run "$run" "$work/r.recipe"

# A bad [write] option fails the plan, not the assemble task hours later,
# and leaves no run and no output directory (write is not made, only read).
for aligned in "" "tgt-input = $work/in
lang = id
tgt-lang = en"; do
    printf '[build]\ninput = %s\noutput = %s\n%s\n[write]\nlevel = 99\n' \
        "$work/in" "$work/badout" "$aligned" > "$work/bad.recipe"
    expect_exit 2 "$MTPREP" plan --run "$work/badrun" "$work/bad.recipe"
    grep -q -- 'level' "$work/stderr" || fail "bad [write] level: $(cat "$work/stderr")"
    [ ! -e "$work/badrun/plan.json" ] && [ ! -e "$work/badout" ] ||
        fail "a refused plan left a run or an output directory"
done
expect_exit 2 "$MTPREP" task map "$run"
expect_exit 2 "$MTPREP" task shuffle "$run" 0
expect_exit 2 "$MTPREP" status
expect_exit 2 "$MTPREP" status --missing shuffle "$run"
expect_exit 1 "$MTPREP" status "$work/nowhere"
grep -q 'nowhere/plan.json' "$work/stderr" || fail "status of no run does not name plan.json"

# Plan, then status before anything ran.
expect_exit 0 "$MTPREP" plan --shards 2 --partitions 3 --run "$run" "$work/r.recipe"
grep -q '^mtprep plan: 1 input files (0 names ignored), ' "$work/stderr" || fail "plan summary"
grep -q 'mtprep task map ' "$work/stderr" || fail "plan does not say what to run next"
expect_exit 1 "$MTPREP" status "$run"
printf 'map 0/2 missing: 0 1\nalign 0/0\nreduce 0/3 missing: 0 1 2\nwrite 0/2 missing: 0 1\nassemble 0/1 missing: 0\n' \
    > "$work/want"
cmp "$work/stdout" "$work/want" || fail "status before any task"
# A monolingual plan has no align task: nothing missing, and refused as a task.
expect_exit 0 "$MTPREP" status --missing align "$run"
[ ! -s "$work/stdout" ] || fail "--missing align of a monolingual plan: $(cat "$work/stdout")"
expect_exit 2 "$MTPREP" task align "$run" 0
grep -q 'plans a monolingual recipe: it has no align task' "$work/stderr" ||
    fail "task align on a monolingual plan: $(cat "$work/stderr")"
[ ! -e "$run/done/align/00000" ] || fail "a refused align wrote a marker"
expect_exit 2 "$MTPREP" task map "$run" 2
grep -q 'map has ranks 0 to 1 under this plan, not 2' "$work/stderr" || fail "rank range"
expect_exit 2 "$MTPREP" task assemble "$run" 1
expect_exit 2 "$MTPREP" task --threads 0 assemble "$run" 0
grep -q -- '--threads takes a number from 1 to 256' "$work/stderr" || fail "--threads 0"

"$MTPREP" task -q map "$run" 1
expect_exit 0 "$MTPREP" status --missing map "$run"
[ "$(cat "$work/stdout")" = 0 ] || fail "--missing map: $(cat "$work/stdout")"
expect_exit 0 "$MTPREP" status --missing reduce "$run"
[ "$(cat "$work/stdout")" = "$(printf '0\n1\n2')" ] || fail "--missing reduce"
expect_exit 1 "$MTPREP" status "$run"
head -n 1 "$work/stdout" | grep -qx 'map 1/2 missing: 0' || fail "status after one map"

# The same plan again keeps the run; a different one is refused without --force.
expect_exit 0 "$MTPREP" plan --shards 2 --partitions 3 --run "$run" "$work/r.recipe"
grep -q 'plan unchanged' "$work/stderr" || fail "same plan: no 'plan unchanged'"
[ -e "$run/done/map/00001" ] || fail "the same plan lost a marker"
expect_exit 2 "$MTPREP" plan --shards 3 --run "$run" "$work/r.recipe"
grep -q -- 'use --force' "$work/stderr" || fail "different plan: no hint at --force"
[ -e "$run/done/map/00001" ] || fail "a refused plan lost a marker"
expect_exit 0 "$MTPREP" plan --force --shards 3 --run "$run" "$work/r.recipe"
[ ! -e "$run/done/map/00001" ] && [ ! -e "$run/map/shard-00001.rec.zst" ] ||
    fail "--force kept the old tasks"
expect_exit 1 "$MTPREP" status "$run"
head -n 1 "$work/stdout" | grep -qx 'map 0/3 missing: 0 1 2' || fail "status after --force"

# An input changed after the plan is refused by the map that reads it.
printf '{"id": "c", "text": "Satu dua tiga empat lima enam tujuh."}\n' >> "$work/in/a.jsonl"
expect_exit 1 "$MTPREP" task map "$run" 0
grep -q "in/a.jsonl: changed since the plan (.* bytes, planned .*); run mtprep plan again" \
    "$work/stderr" || fail "changed input: $(cat "$work/stderr")"
[ ! -e "$run/done/map/00000" ] || fail "a refused map wrote its marker"

# An edited plan no longer matches its digest: refused.
cp "$run/plan.json" "$work/plan.saved"
sed 's/"partitions": 3/"partitions": 2/' "$work/plan.saved" > "$run/plan.json"
cmp -s "$run/plan.json" "$work/plan.saved" && fail "the plan was not edited"
expect_exit 1 "$MTPREP" task map "$run" 1
grep -q 'plan.json: not a valid plan (edited or damaged)' "$work/stderr" || fail "edited plan taken"
expect_exit 1 "$MTPREP" status "$run"
cp "$work/plan.saved" "$run/plan.json"

# Inputs plan refuses: stdin, and (exit 1) an input it cannot read.
printf '[build]\ninput = -\noutput = %s/out\n' "$work" > "$work/stdin.recipe"
expect_exit 2 "$MTPREP" plan --run "$work/run2" "$work/stdin.recipe"
grep -q "input '-' (stdin) cannot be sharded" "$work/stderr" || fail "stdin input not refused"
[ ! -e "$work/run2" ] || fail "a refused plan created its run directory"
if [ "$(id -u)" != 0 ]; then # root reads any file
    cp "$work/in/a.jsonl" "$work/in/locked.jsonl"
    chmod 000 "$work/in/locked.jsonl"
    expect_exit 1 "$MTPREP" plan --run "$work/run2" "$work/r.recipe"
    chmod 644 "$work/in/locked.jsonl"
    grep -q "in/locked.jsonl: cannot read (Permission denied); a plan needs every input readable" \
        "$work/stderr" || fail "unreadable input: $(cat "$work/stderr")"
    [ ! -e "$work/run2" ] || fail "a failed plan created its run directory"
fi
# A broken symbolic link is an input no one can read, whoever runs the plan.
ln -s "$work/no-such-file.jsonl" "$work/in/gone.jsonl"
expect_exit 1 "$MTPREP" plan --run "$work/run2" "$work/r.recipe"
grep -q "in/gone.jsonl: cannot read (No such file or directory); a plan needs every input readable" \
    "$work/stderr" || fail "unreadable input: $(cat "$work/stderr")"
[ ! -e "$work/run2" ] || fail "a failed plan created its run directory"
pass
