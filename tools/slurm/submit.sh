#!/bin/bash
# Submits the missing tasks of a planned mtprep run (`mtprep plan ... --run
# RUN RECIPE`) to Slurm: map, align, reduce, write and assemble as job arrays,
# each stage depending on the previous one with afterok and
# --kill-on-invalid-dep (a failed task cancels everything downstream instead
# of leaving it pending). Align has one rank in an aligned plan or one with
# [dedup_docs], and none in another monolingual one.
#
# Per stage, `mtprep status --missing STAGE RUN` gives the ranks still to do.
# They go to RUN/todo/STAGE.NNN.txt (NNN counts submissions, shared with
# tools/parallel/run.sh, so an older submission's file never changes while its
# jobs run); array task i runs the rank on line i+1 (plus an offset when a
# stage has more ranks than MaxArraySize and is cut into several arrays). A
# stage with nothing missing is skipped; later stages depend only on what was
# submitted. The batch script of each stage stays in RUN/slurm/ and the sbatch
# command lines with their job IDs in RUN/slurm/submit.NNN.log; task output
# goes to RUN/logs/slurm/. Tasks are idempotent and write their completion
# marker last, so a retry is running this script again: only the missing
# ranks are submitted. The script refuses to submit while jobs of the same
# RUN (job names mtprep-<run name>-<stage>) are still queued or running.
#
# --wait polls squeue every 0.2 s (bounded by --wait-timeout) until the jobs
# of RUN are gone, then trusts the completion markers, not the job states:
# exit 0 only when `mtprep status RUN` says complete. Memory: rank lists only.
set -euo pipefail

prog=submit.sh
stages=(map align reduce write assemble)

usage() {
    cat <<'EOF'
Usage: tools/slurm/submit.sh RUN [OPTIONS]

Submits the missing tasks of a planned mtprep run as Slurm job arrays
(map -> align -> reduce -> write -> assemble, chained with afterok; align
only for aligned plans and those with [dedup_docs]). Run it again to
retry after a failure: only the missing ranks are submitted.
Prints one line 'STAGE JOBID RANKS' per submitted array on stdout.

Options:
  --partition P       sbatch --partition
  --time T            sbatch --time (per task)
  --cpus C            sbatch --cpus-per-task; map and assemble tasks use C threads
  --mem M             sbatch --mem (per task)
  --max-parallel W    at most W tasks of an array at once (--array=...%W)
  --mtprep PATH       mtprep binary, same path on every node (default:
                      $MTPREP, else mtprep in PATH)
  --wait              wait for the jobs, then exit 0 only if the run is complete
  --wait-timeout S    give up waiting after S seconds (default 86400)
  -q, --quiet         no summary lines on stderr
  --help              this help
Exit status: 0 submitted (with --wait: complete), 1 failure or incomplete,
2 usage error.
EOF
}

log() { [ "$quiet" -eq 1 ] || echo "$prog: $*" >&2; }
die() {
    echo "$prog: $*" >&2
    exit 1
}
misuse() {
    echo "$prog: $*" >&2
    echo "Try '$prog --help'." >&2
    exit 2
}

# positive NAME VALUE: misuse unless VALUE is a positive integer.
positive() {
    [[ $2 =~ ^[1-9][0-9]*$ ]] || misuse "$1 wants a positive integer, got '$2'"
}

parse_args() {
    run="" partition="" time_limit="" cpus="" mem="" max_parallel=""
    mtprep=${MTPREP:-mtprep} wait=0 wait_timeout=86400 quiet=0
    while [ $# -gt 0 ]; do
        case $1 in
        --help) usage; exit 0 ;;
        --wait) wait=1; shift; continue ;;
        -q | --quiet) quiet=1; shift; continue ;;
        --partition | --time | --cpus | --mem | --max-parallel | --mtprep | --wait-timeout)
            [ $# -ge 2 ] || misuse "option $1 needs a value" ;;
        -*) misuse "unknown option $1" ;;
        *)
            [ -z "$run" ] || misuse "one RUN directory expected, got '$run' and '$1'"
            run=$1
            shift
            continue
            ;;
        esac
        case $1 in
        --partition) partition=$2 ;;
        --time) time_limit=$2 ;;
        --cpus) positive "$1" "$2"; cpus=$2 ;;
        --mem) mem=$2 ;;
        --max-parallel) positive "$1" "$2"; max_parallel=$2 ;;
        --mtprep) mtprep=$2 ;;
        --wait-timeout) positive "$1" "$2"; wait_timeout=$2 ;;
        esac
        shift 2
    done
    [ -n "$run" ] || misuse "no RUN directory given"
}

check_setup() {
    local t
    for t in sbatch squeue scontrol; do
        command -v "$t" > /dev/null || die "$t not found: Slurm client tools are needed"
    done
    case $mtprep in
    /*) ;;
    */*) mtprep=$PWD/$mtprep ;;
    *) mtprep=$(command -v "$mtprep") || die "mtprep not found in PATH (use --mtprep PATH)" ;;
    esac
    [ -x "$mtprep" ] || die "$mtprep: not an executable"
    [ -f "$run/plan.json" ] || die "$run/plan.json: no plan (run 'mtprep plan --run $run RECIPE' first)"
    run=$(cd "$run" && pwd)
    name=$(basename "$run" | tr -c 'A-Za-z0-9._\n-' '_')
    mkdir -p "$run/todo" "$run/slurm" "$run/logs/slurm"
}

# job_names: the comma-separated job names of this RUN's stages.
job_names() {
    local s out=""
    for s in "${stages[@]}"; do out+=${out:+,}mtprep-$name-$s; done
    echo "$out"
}

# queued_jobs: IDs of this RUN's jobs that Slurm still holds (pending, running, ...).
queued_jobs() {
    squeue -h -o %A -n "$(job_names)" | sort -un | tr '\n' ' '
}

# next_submission: the next NNN after those in RUN/todo and RUN/slurm.
next_submission() {
    local f n last=0
    for f in "$run"/todo/*.txt "$run"/slurm/*.sbatch; do
        [ -e "$f" ] || continue
        n=${f%.*}
        n=${n##*.}
        [[ $n =~ ^[0-9]+$ ]] || continue
        n=$((10#$n))
        [ "$n" -le "$last" ] || last=$n
    done
    printf '%03d\n' $((last + 1))
}

max_array_size() {
    local m
    m=$(scontrol show config | awk '$1 == "MaxArraySize" {print $3}')
    [[ $m =~ ^[0-9]+$ ]] && [ "$m" -gt 0 ] || m=1001
    echo "$m"
}

# write_batch STAGE FILE: the batch script that maps an array index to a rank.
write_batch() {
    local todo=$run/todo/$1.$sub.txt
    cat > "$2" <<EOF
#!/bin/bash
# mtprep $1 tasks of $(printf %q "$run"), submission $sub.
# Generated by tools/slurm/submit.sh and kept for provenance; the sbatch
# command lines are in submit.$sub.log beside this file.
set -eu
todo=$(printf %q "$todo")
index=\$((SLURM_ARRAY_TASK_ID + \${MTPREP_TODO_OFFSET:-0}))
rank=\$(sed -n "\$((index + 1))p" "\$todo")
if [ -z "\$rank" ]; then
    echo "no rank for array index \$index in \$todo" >&2
    exit 1
fi
echo "mtprep task $1 rank \$rank: job \${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID} on \$(hostname)"
exec $(printf %q "$mtprep") task $(task_threads "$1")$1 $(printf %q "$run") "\$rank"
EOF
}

# task_threads STAGE: "--threads C " for map and assemble when --cpus C is
# given (map's stages on C worker threads, assemble's train files on C zstd
# threads; the same bytes), else nothing.
task_threads() {
    case $1 in
    map | assemble) [ -z "$cpus" ] || printf -- '--threads %s ' "$cpus" ;;
    esac
}

# sbatch_common STAGE: fills the array `opts` with the options of every chunk of STAGE.
sbatch_common() {
    opts=(--parsable --job-name "mtprep-$name-$1" --chdir "$PWD"
        --output "$run/logs/slurm/%x-%A_%a.log" --kill-on-invalid-dep=yes)
    [ -z "$partition" ] || opts+=(--partition "$partition")
    [ -z "$time_limit" ] || opts+=(--time "$time_limit")
    [ -z "$cpus" ] || opts+=(--cpus-per-task "$cpus")
    [ -z "$mem" ] || opts+=(--mem "$mem")
    [ -z "$depend" ] || opts+=(--dependency "afterok:$depend")
}

# submit_chunk STAGE SCRIPT START COUNT: one array over todo lines START..START+COUNT-1.
submit_chunk() {
    local range=0-$(($4 - 1)) id
    [ -z "$max_parallel" ] || range+=%$max_parallel
    local cmd=(sbatch "${opts[@]}" --array "$range" --export "ALL,MTPREP_TODO_OFFSET=$3" "$2")
    id=$("${cmd[@]}" < /dev/null) || {
        abandon
        die "$1: sbatch failed: ${cmd[*]}"
    }
    id=${id%%;*}
    printf '%q ' "${cmd[@]}" >> "$run/slurm/submit.$sub.log"
    echo "# -> job $id" >> "$run/slurm/submit.$sub.log"
    submitted+=("$id")
    stage_ids+=("$id")
    echo "$1 $id $4"
}

# abandon: cancels what this submission already submitted, so no half chain runs.
abandon() {
    [ ${#submitted[@]} -eq 0 ] || scancel "${submitted[@]}" 2> /dev/null || true
}

# submit_stage STAGE: submits the missing ranks of STAGE; sets `depend` for the next.
submit_stage() {
    local todo=$run/todo/$1.$sub.txt script=$run/slurm/$1.$sub.sbatch k start
    "$mtprep" status --missing "$1" "$run" > "$todo.tmp" < /dev/null || {
        abandon
        die "$run: 'mtprep status --missing $1' failed"
    }
    mv "$todo.tmp" "$todo"
    k=$(wc -l < "$todo")
    if [ "$k" -eq 0 ]; then
        rm -f "$todo"
        log "$1: nothing missing"
        return 0
    fi
    write_batch "$1" "$script"
    sbatch_common "$1"
    stage_ids=()
    for ((start = 0; start < k; start += max_array)); do
        submit_chunk "$1" "$script" "$start" $((k - start < max_array ? k - start : max_array))
    done
    log "$1: $k rank(s) in job(s) ${stage_ids[*]}${depend:+ after $depend}"
    depend=$(IFS=:; echo "${stage_ids[*]}")
}

# wait_jobs: polls squeue until no job of RUN is left, at most wait_timeout seconds.
wait_jobs() {
    local end=$((SECONDS + wait_timeout)) left
    while :; do
        if left=$(queued_jobs 2> /dev/null) && [ -z "${left// /}" ]; then
            return 0
        fi
        [ "$SECONDS" -lt "$end" ] || die "still waiting after ${wait_timeout}s for job(s) ${left:-?}"
        sleep 0.2
    done
}

# report_status: exit status of `mtprep status RUN`, its lines on stderr unless quiet.
report_status() {
    local out rc=0
    out=$("$mtprep" status "$run" < /dev/null 2>&1) || rc=$?
    [ "$quiet" -eq 1 ] || [ -z "$out" ] || echo "$out" >&2
    if [ "$rc" -ne 0 ]; then
        echo "$prog: $run: incomplete; see 'mtprep status --missing STAGE $run' and $run/logs/slurm/, then run $prog again to retry" >&2
        return 1
    fi
    log "$run: complete"
}

main() {
    parse_args "$@"
    check_setup
    local left
    left=$(queued_jobs) || die "squeue failed: is the cluster up (SLURM_CONF)?"
    [ -z "${left// /}" ] || die "jobs of $run still queued or running: $left(wait for them or scancel them first)"
    sub=$(next_submission)
    max_array=$(max_array_size)
    depend="" submitted=() stage_ids=()
    local s
    for s in "${stages[@]}"; do submit_stage "$s"; done
    [ ${#submitted[@]} -gt 0 ] || log "$run: nothing missing, nothing submitted"
    [ "$wait" -eq 1 ] || return 0
    [ ${#submitted[@]} -eq 0 ] || wait_jobs
    report_status
}

main "$@"
