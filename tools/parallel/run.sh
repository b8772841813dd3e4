#!/bin/sh
# Runs a planned mtprep run (`mtprep plan ... --run RUN RECIPE`) with GNU
# parallel: the stages map, align, reduce, write and assemble in that order,
# each over the ranks that `mtprep status --missing STAGE RUN` still lists
# (align has one rank in an aligned plan or one with [dedup_docs], and none in
# another monolingual one).
#
# Every rank is one `mtprep task STAGE RUN RANK`. Tasks are idempotent (a
# task whose completion marker holds the plan digest does nothing) and write
# under temporary names, so a failed or interrupted run is retried by running
# this script again: only the missing ranks run. The corpus is the same bytes
# as `mtprep build RECIPE`.
#
# Per stage: the ranks go to RUN/todo/STAGE.NNN.txt (NNN counts submissions,
# shared with tools/slurm/submit.sh), GNU parallel runs them with
# `--halt now,fail=1` (the first failure stops the stage and kills its
# siblings: their partial outputs stay under temporary names and they write
# no marker) and logs to RUN/logs/STAGE.joblog. Memory: one task per job
# slot; the script itself holds only rank lists.
#
# Several hosts: --sshloginfile F hands F to parallel (one sshlogin per line,
# e.g. "4/node1" for 4 jobs on node1). The hosts must share a file system
# that holds RUN, the inputs and the output directory at the same paths, and
# the same mtprep binary at the path given by --mtprep; tasks run in this
# directory (parallel's --workdir). Without a shared file system use
# `mtprep build` on one host instead.
#
# If you publish results obtained with GNU parallel, please cite it as its
# author asks: O. Tange, GNU Parallel (see `parallel --citation`).
set -eu

prog=run.sh
stages="map align reduce write assemble"

usage() {
    cat <<'EOF'
Usage: tools/parallel/run.sh RUN [OPTIONS]

Runs the missing tasks of a planned mtprep run with GNU parallel, stage by
stage (map, align, reduce, write, assemble; align only for aligned plans and
those with [dedup_docs]). Run it again to retry after a failure: only missing
ranks run. Exits 0 when `mtprep status RUN` says complete.

Options:
  --jobs J             parallel jobs per host (default: number of cores); the
                       assemble task, which runs alone, compresses on J threads
  --sshloginfile F     run tasks over ssh on the hosts listed in F (needs a
                       shared file system; tasks run in the current directory)
  --mtprep PATH        mtprep binary (default: $MTPREP, else mtprep in PATH)
  -q, --quiet          no summary lines
  --help               this help
Exit status: 0 complete, 1 a task failed or the run is incomplete, 2 usage error.
EOF
}

die() {
    echo "$prog: $*" >&2
    exit 1
}

misuse() {
    echo "$prog: $*" >&2
    echo "Try '$prog --help'." >&2
    exit 2
}

say() {
    [ "$quiet" -eq 1 ] || echo "$prog: $*" >&2
}

# need_value OPTION ARGC: misuse unless OPTION has a value after it.
need_value() {
    [ "$2" -ge 2 ] || misuse "option $1 needs a value"
}

parse_args() {
    run="" jobs="" sshloginfile="" mtprep=${MTPREP:-mtprep} quiet=0
    while [ $# -gt 0 ]; do
        case $1 in
        --help) usage; exit 0 ;;
        --jobs) need_value "$1" $#; jobs=$2; shift 2 ;;
        --sshloginfile) need_value "$1" $#; sshloginfile=$2; shift 2 ;;
        --mtprep) need_value "$1" $#; mtprep=$2; shift 2 ;;
        -q | --quiet) quiet=1; shift ;;
        -*) misuse "unknown option $1" ;;
        *)
            [ -z "$run" ] || misuse "one RUN directory expected, got '$run' and '$1'"
            run=$1
            shift
            ;;
        esac
    done
    [ -n "$run" ] || misuse "no RUN directory given"
    case $jobs in
    "" | *[!0-9]* | 0*) [ -z "$jobs" ] || misuse "--jobs wants a positive integer, got '$jobs'" ;;
    esac
}

# absolute_tool NAME: prints the absolute path of a command or file path.
absolute_tool() {
    case $1 in
    /*) echo "$1" ;;
    */*) echo "$PWD/$1" ;;
    *) command -v "$1" || die "mtprep not found in PATH (use --mtprep PATH)" ;;
    esac
}

check_setup() {
    command -v parallel > /dev/null 2>&1 ||
        die "GNU parallel not found (Debian: apt-get install parallel)"
    mtprep=$(absolute_tool "$mtprep")
    [ -x "$mtprep" ] || die "$mtprep: not an executable"
    [ -f "$run/plan.json" ] || die "$run/plan.json: no plan (run 'mtprep plan --run $run RECIPE' first)"
    run=$(cd "$run" && pwd)
    if [ -n "$sshloginfile" ]; then
        [ -r "$sshloginfile" ] || die "$sshloginfile: cannot read"
    fi
    mkdir -p "$run/todo" "$run/logs"
}

# next_submission: prints the next NNN after those in RUN/todo/*.NNN.txt.
next_submission() {
    last=0
    for f in "$run"/todo/*.txt; do
        [ -e "$f" ] || continue
        n=${f%.txt}
        n=$(echo "${n##*.}" | sed 's/^0*//')
        case $n in "" | *[!0-9]*) continue ;; esac
        [ "$n" -le "$last" ] || last=$n
    done
    printf '%03d\n' $((last + 1))
}

# run_stage STAGE SUB: runs the missing ranks of STAGE; returns parallel's status.
run_stage() {
    todo=$run/todo/$1.$2.txt
    "$mtprep" status --missing "$1" "$run" > "$todo.tmp" ||
        die "$run: 'mtprep status --missing $1' failed"
    mv "$todo.tmp" "$todo"
    count=$(wc -l < "$todo")
    if [ "$count" -eq 0 ]; then
        rm -f "$todo"
        say "$1: nothing missing"
        return 0
    fi
    say "$1: $count rank(s) to run ($todo)"
    set -- "$1" --will-cite --halt now,fail=1 --joblog "$run/logs/$1.joblog"
    [ -z "$jobs" ] || set -- "$@" --jobs "$jobs"
    [ -z "$sshloginfile" ] || set -- "$@" --sshloginfile "$sshloginfile" --workdir "$PWD"
    stage=$1
    shift
    task_opts=""
    [ "$quiet" -eq 0 ] || task_opts=--quiet
    # assemble runs alone: its train files compress on the job slots' threads
    [ "$stage" != assemble ] || [ -z "$jobs" ] || task_opts="$task_opts --threads $jobs"
    # shellcheck disable=SC2086 # task_opts is a few plain words
    parallel "$@" "$mtprep" task $task_opts "$stage" "$run" '{}' :::: "$todo" < /dev/null >&2
}

main() {
    parse_args "$@"
    check_setup
    sub=$(next_submission)
    for s in $stages; do
        run_stage "$s" "$sub" || die "$s: a task failed (see $run/logs/$s.joblog); run again to retry"
    done
    "$mtprep" status "$run" > /dev/null || die "$run: incomplete after all stages (see 'mtprep status $run')"
    say "$run: complete"
}

main "$@"
