#!/bin/bash
# Starts a private single-node Slurm cluster on this host, for trying and
# testing tools/slurm/submit.sh without a real cluster. Run as root.
#
#   eval "$(tools/slurm/slurm_local.sh)"     # prints: export SLURM_CONF=...
#   sbatch / squeue / srun ...
#   tools/slurm/slurm_local_stop.sh [--purge]
#
# What it does, in order: if the cluster of the state dir is already up
# (munged, slurmctld and slurmd alive per their PID files, node usable), it
# only prints the export line. Otherwise it installs any missing Debian package
# of slurmctld, slurmd, slurm-client and munge (--no-install-recommends;
# packaged services are kept from starting by a temporary policy-rc.d), writes
# STATE/etc/slurm.conf (only while none of its daemons runs), and starts a
# private munged (own key and socket in STATE/munge), `slurmctld -i`, then
# `slurmd -N localhost`, waiting (bounded) for the node to become idle.
#
# The cluster needs no systemd, cgroups, accounting database or /etc/slurm:
# proctrack/linuxproc, task/none, no accounting, daemons bound to 127.0.0.1
# on non-default ports, batch_sched_delay=0 so that array tasks start at once,
# MinJobAge=600 so that finished jobs stay visible to `scontrol show job`.
# Its footprint: three daemons and a few MB of state under STATE.
#
# Environment (all optional):
#   SLURM_LOCAL_DIR          state dir (default ${TMPDIR:-/tmp}/mtprep-slurm-local; --dir wins)
#   SLURM_LOCAL_CPUS         CPUs the node advertises (default: nproc)
#   SLURM_LOCAL_MEM_MB       RealMemory (default: MemTotal - 512 MB)
#   SLURM_LOCAL_CTLD_PORT    slurmctld port (default 16817)
#   SLURM_LOCAL_SLURMD_PORT  slurmd port (default 16818)
#   SLURM_LOCAL_MAX_ARRAY    MaxArraySize (default 1001)
#   SLURM_LOCAL_TIMEOUT      seconds to wait for the node to be idle (default 60)
set -euo pipefail

prog=slurm_local.sh
# shellcheck source=tools/slurm/local_lib.sh
. "$(dirname "$0")/local_lib.sh"

packages=(slurmctld slurmd slurm-client munge)

usage() {
    cat <<'EOF'
Usage: tools/slurm/slurm_local.sh [--dir STATE] [--help]

Starts (or finds running) a private single-node Slurm cluster on 127.0.0.1,
installing Debian's slurmctld, slurmd, slurm-client and munge if missing.
Prints 'export SLURM_CONF=STATE/etc/slurm.conf' on stdout; use it with
  eval "$(tools/slurm/slurm_local.sh)"
Stop it with tools/slurm/slurm_local_stop.sh [--dir STATE] [--purge].
Environment: SLURM_LOCAL_DIR, SLURM_LOCAL_CPUS, SLURM_LOCAL_MEM_MB,
SLURM_LOCAL_CTLD_PORT, SLURM_LOCAL_SLURMD_PORT, SLURM_LOCAL_MAX_ARRAY,
SLURM_LOCAL_TIMEOUT (see the script's header).
Exit status: 0 cluster up, 1 failure, 2 usage error.
EOF
}


# alive PIDFILE COMM: true when PIDFILE names a live process called COMM.
alive() { pid_of "$1" "$2" > /dev/null; }

munged_up() { alive "$state/munge/munged.pid" munged; }
ctld_up() { alive "$state/run/slurmctld.pid" slurmctld; }
slurmd_up() { alive "$state/run/slurmd.pid" slurmd; }

node_state() {
    SLURM_CONF=$conf sinfo -h -n localhost -o %t 2> /dev/null | head -n 1
}

node_usable() {
    case $(node_state) in idle | mix | alloc | comp) return 0 ;; esac
    return 1
}

print_env() {
    echo "export SLURM_CONF=$conf" > "$state/env.sh"
    echo "export SLURM_CONF=$conf"
}

main() {
    parse_state_args "$@"
    [ "$(id -u)" -eq 0 ] || die "run as root (the private cluster runs its daemons as root)"
    if munged_up && ctld_up && slurmd_up && node_usable; then
        print_env
        return 0
    fi
    install_packages
    mkdir -p "$state"/{etc,munge,run,log,spool/ctld,spool/d}
    check_searchable "$state"
    chmod 755 "$state/munge" # munged wants its socket dir searchable by all
    if ! munged_up && ! ctld_up && ! slurmd_up; then
        write_config
    fi
    [ -f "$conf" ] || die "$conf: missing while daemons of $state run; stop them first"
    start_munged
    start_slurmctld
    start_slurmd
    wait_idle
    print_env
    log "cluster up: node localhost, $(cpus) CPU(s), ports $(ctld_port)/$(slurmd_port), state $state"
}

# ---- packages ----------------------------------------------------------

missing_packages() {
    local p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || echo "$p"
    done
}

install_packages() {
    local missing guard=""
    mapfile -t missing < <(missing_packages)
    [ ${#missing[@]} -gt 0 ] || return 0
    log "installing: ${missing[*]}"
    # Keep the packaged services from starting (and taking the default ports):
    # add a policy-rc.d only when the host has none, and remove only ours.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        guard=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' > "$guard"
        chmod 755 "$guard"
    fi
    export DEBIAN_FRONTEND=noninteractive
    local rc=0
    {
        apt-cache show slurmctld > /dev/null 2>&1 || apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    } < /dev/null > "${TMPDIR:-/tmp}/slurm_local.apt.$$.log" 2>&1 || rc=$?
    [ -z "$guard" ] || rm -f "$guard"
    if [ "$rc" -ne 0 ]; then
        cat "${TMPDIR:-/tmp}/slurm_local.apt.$$.log" >&2
        die "apt-get install ${missing[*]} failed (exit $rc)"
    fi
    rm -f "${TMPDIR:-/tmp}/slurm_local.apt.$$.log"
}

# ---- configuration -----------------------------------------------------

cpus() { echo "${SLURM_LOCAL_CPUS:-$(nproc)}"; }
ctld_port() { echo "${SLURM_LOCAL_CTLD_PORT:-16817}"; }
slurmd_port() { echo "${SLURM_LOCAL_SLURMD_PORT:-16818}"; }

mem_mb() {
    if [ -n "${SLURM_LOCAL_MEM_MB:-}" ]; then
        echo "$SLURM_LOCAL_MEM_MB"
        return
    fi
    local kb
    kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
    local mb=$((kb / 1024 - 512))
    [ "$mb" -ge 256 ] || mb=256
    echo "$mb"
}

write_config() {
    cat > "$conf.tmp" <<EOF
# mtprep slurm_local: private single-node cluster (written by tools/slurm/slurm_local.sh)
ClusterName=mtpreplocal
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(ctld_port)
SlurmdPort=$(slurmd_port)
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket,cred_expire=30
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
MaxArraySize=${SLURM_LOCAL_MAX_ARRAY:-1001}
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(cpus) RealMemory=$(mem_mb) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$conf.tmp" "$conf"
}

# ---- daemons -----------------------------------------------------------

# check_searchable DIR: munged refuses a socket below a directory that not
# everyone may search (such as a mktemp -d directory, mode 0700).
check_searchable() {
    local d=$1
    while [ "$d" != / ] && [ -n "$d" ]; do
        [ -n "$(find "$d" -maxdepth 0 -perm -o+x)" ] ||
            die "$d: not searchable by others (chmod o+x it or pick another state dir); munged needs that"
        d=$(dirname "$d")
    done
}

start_munged() {
    munged_up && return 0
    local key=$state/munge/munge.key
    if [ ! -s "$key" ]; then
        dd if=/dev/urandom of="$key.tmp" bs=1024 count=1 status=none
        chmod 600 "$key.tmp"
        mv "$key.tmp" "$key"
    fi
    rm -f "$state/munge/munge.socket" "$state/munge/munge.socket.lock"
    munged --socket="$state/munge/munge.socket" --key-file="$key" \
        --pid-file="$state/munge/munged.pid" --log-file="$state/log/munged.log" \
        --seed-file="$state/munge/munged.seed" < /dev/null > /dev/null 2>> "$state/log/start.log" ||
        die "munged did not start (see $state/log/munged.log, $state/log/start.log)"
    wait_for 10 munged_up || die "munged did not come up (see $state/log/munged.log)"
}

ctld_ping() {
    SLURM_CONF=$conf scontrol ping 2> /dev/null | grep -q 'is UP'
}

start_slurmctld() {
    ctld_up && return 0
    SLURM_CONF=$conf slurmctld -f "$conf" -i < /dev/null > /dev/null 2>> "$state/log/start.log" ||
        die "slurmctld did not start (see $state/log/slurmctld.log)"
    wait_for 20 ctld_ping || die "slurmctld does not answer (see $state/log/slurmctld.log)"
}

start_slurmd() {
    slurmd_up && return 0
    SLURM_CONF=$conf slurmd -f "$conf" -N localhost < /dev/null > /dev/null 2>> "$state/log/start.log" ||
        die "slurmd did not start (see $state/log/slurmd.log)"
    wait_for 10 slurmd_up || die "slurmd did not come up (see $state/log/slurmd.log)"
}

# wait_idle: waits for the node to be usable, resuming it once if drained or down.
wait_idle() {
    local limit=${SLURM_LOCAL_TIMEOUT:-60} resumed=0 s
    local end=$((SECONDS + limit))
    while ! node_usable; do
        s=$(node_state)
        if [ "$resumed" -eq 0 ] && [[ $s == drain* || $s == down* || $s == drng* ]]; then
            log "node is $s; resuming it"
            SLURM_CONF=$conf scontrol update nodename=localhost state=resume > /dev/null 2>&1 || true
            resumed=1
        fi
        [ "$SECONDS" -lt "$end" ] || die "node not idle after ${limit}s (state '$s'; see $state/log/)"
        sleep 0.2
    done
}

# wait_for SECONDS CMD: polls CMD every 0.1 s until it succeeds or time runs out.
wait_for() {
    local n=$(($1 * 10))
    shift
    while ! "$@"; do
        n=$((n - 1))
        [ "$n" -gt 0 ] || return 1
        sleep 0.1
    done
}

main "$@"
