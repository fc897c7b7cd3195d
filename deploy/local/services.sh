#!/usr/bin/env bash
# deploy/local/services.sh — the portal's own processes, as deploy/topology.toml lists them.
#
#   start [NAME | NAME.i ...]    run each NAME-migrate step, then start every instance
#                                of every process (or of those named) and wait until
#                                each answers its readiness URL
#   stop [NAME | NAME.i ...]     stop them (all of them: in reverse order)
#   restart NAME | NAME.i ...    stop, then start
#   status                       one line per instance
#   pids NAME | NAME.i ...       the pid of each running instance, one per line
#   kill NAME | NAME.i ...       SIGKILL at once (fault tests), as the kernel would
#   stop-one NAME                the same as `stop NAME` (older callers)
#
# NAME is a process (`identity` is its API, then `identity-worker`,
# `identity-migrate`, ..., `gateway`) and NAME.i its instance i (0, 1, ...),
# which listens on the process's port + i x PORTAL_PORT_STEP (identity.1 on
# 8201) and has .local/run/NAME.i.pid and .local/log/NAME.i.log. How many
# instances: the topology, or PORTAL_INSTANCES_<NAME> in the environment
# (PORTAL_INSTANCES_IDENTITY=2, PORTAL_INSTANCES_TRADE_ACCOUNTS_WORKER=3).
# `start` of a whole process also stops the instances beyond its count, and
# restarts an instance whose command line changed (a moved port, or the
# gateway's upstream table after an API was scaled), so
#     PORTAL_INSTANCES_IDENTITY=2 make run
# on a running portal adds identity.1 and restarts the gateway to route to it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
# shellcheck source=proc.sh
. "$here/proc.sh"
cd "$PORTAL_REPO_DIR"

PY="${UV_PROJECT_ENVIRONMENT:-$PORTAL_REPO_DIR/.venv}/bin/python"
READY_TIMEOUT="${PORTAL_SERVICE_READY_TIMEOUT:-60}"

topology() { "${UV_PYTHON:-python3}" -S "$PORTAL_REPO_DIR/deploy/topology.py" "$@"; }

# Each line of the plan: name, instance (- for a one-shot step), readiness URL
# (- for none), the command as shell-quoted words.
plan() { topology processes --python "$PY" "$@"; }

# The instances of NAME that have a pidfile, as NAME.i labels in instance order.
labels_with_pidfiles() {
    local f label
    for f in "$PROC_RUN_DIR/$1".*.pid; do
        [[ -e "$f" ]] || continue
        label=${f##*/}
        label=${label%.pid}
        [[ "${label#"$1".}" =~ ^[0-9]+$ ]] && printf '%s\n' "$label"
    done | sort -t. -k2,2n
}

# NAME -> its instance labels; NAME.i -> itself.
labels_of() {
    if [[ "$1" == *.* ]]; then printf '%s\n' "$1"; else labels_with_pidfiles "$1"; fi
}

check_names() {
    local known name
    known=$(topology names)
    for name in "$@"; do
        if ! grep -qxF -- "${name%.*}" <<<"$known" || [[ "$name" == *.* && ! "${name##*.}" =~ ^[0-9]+$ ]]; then
            echo "services: no process named $name (processes: $(tr '\n' ' ' <<<"$known"))" >&2
            exit 2
        fi
    done
}

run_once() { # NAME ARGV
    local log="$PROC_LOG_DIR/$1.log" cmd
    mkdir -p "$PROC_LOG_DIR"
    eval "cmd=($2)"
    printf '\n==== %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$2" >>"$log"
    "${cmd[@]}" >>"$log" 2>&1 9>&- || proc_fail "$1" "$log" "$1 failed"
}

launch() { # LABEL READY ARGV — start one instance unless it already runs as asked
    local label=$1 ready=$2 argv=$3 stamp="$PROC_RUN_DIR/$1.argv" cmd
    if proc_running "$label"; then
        if [[ "$(cat "$stamp" 2>/dev/null)" == "$argv" ]]; then
            echo "$label: already running (pid $(proc_pid "$label"))"
            return 0
        fi
        echo "$label: its command line changed; restarting"
        stop_label "$label"
    fi
    if [[ "$ready" != "-" ]]; then
        local authority=${ready#*://}
        authority=${authority%%/*}
        if port_in_use "${authority%:*}" "${authority##*:}"; then
            echo "services: $authority (for $label) is taken by another process (not ours: no live pidfile)" >&2
            exit 1
        fi
    fi
    eval "cmd=($argv)"
    # 9>&-: the process must not inherit the lock below, or hold it for its lifetime.
    proc_start "$label" "$PROC_LOG_DIR/$label.log" -- "${cmd[@]}" 9>&-
    printf '%s\n' "$argv" >"$stamp"
}

stop_label() {
    proc_stop "$1" TERM 20 || true
    rm -f "$PROC_RUN_DIR/$1.argv"
}

cmd_start() {
    check_names "$@"
    local out
    out=$(plan "$@")
    [[ -n "$out" ]] || return 0
    local -a lines group
    mapfile -t lines <<<"$out"
    local i=0 n=${#lines[@]} name inst ready argv line
    while ((i < n)); do
        name=${lines[i]%%$'\t'*}
        group=()
        while ((i < n)) && [[ "${lines[i]%%$'\t'*}" == "$name" ]]; do
            group+=("${lines[i]}")
            i=$((i + 1))
        done
        # All instances of a process start together, then each is waited for.
        for line in "${group[@]}"; do
            IFS=$'\t' read -r name inst ready argv <<<"$line"
            if [[ "$inst" == "-" ]]; then run_once "$name" "$argv"; else launch "$name.$inst" "$ready" "$argv"; fi
        done
        for line in "${group[@]}"; do
            IFS=$'\t' read -r name inst ready argv <<<"$line"
            [[ "$inst" == "-" || "$ready" == "-" ]] && continue
            wait_http "$ready" "$READY_TIMEOUT" "$name.$inst" ||
                proc_fail "$name.$inst" "$PROC_LOG_DIR/$name.$inst.log" "$name.$inst did not become ready at $ready"
        done
        # Started as a whole process (not NAME.i): instances beyond the count go.
        if [[ "$inst" != "-" && " $* " != *" $name."* ]]; then
            local label
            for label in $(labels_with_pidfiles "$name"); do
                ((${label##*.} < ${#group[@]})) || stop_label "$label"
            done
        fi
    done
}

cmd_stop() {
    local -a names=("$@")
    if ((${#names[@]} == 0)); then
        # Reverse order: the gateway first, the databases' clients last.
        mapfile -t names < <(topology names | tac)
    else
        check_names "${names[@]}"
    fi
    local name label
    for name in "${names[@]}"; do
        [[ "$name" == *-migrate ]] && continue
        for label in $(labels_of "$name"); do stop_label "$label"; done
    done
}

cmd_status() {
    local name inst ready argv label
    declare -A listed=()
    while IFS=$'\t' read -r name inst ready argv; do
        [[ "$inst" == "-" ]] && continue
        label="$name.$inst"
        listed[$label]=1
        if proc_running "$label"; then
            echo "$label: running (pid $(proc_pid "$label"), ready at $ready)"
        else
            echo "$label: stopped"
        fi
    done < <(plan)
    for name in $(topology names); do
        for label in $(labels_with_pidfiles "$name"); do
            [[ -z "${listed[$label]:-}" ]] && proc_running "$label" &&
                echo "$label: running (pid $(proc_pid "$label")), beyond the count: \`services.sh start\` stops it"
        done
    done
    return 0
}

cmd_pids() {
    (($#)) || { echo "usage: $0 pids NAME|NAME.i ..." >&2; exit 2; }
    check_names "$@"
    local name label
    for name in "$@"; do
        for label in $(labels_of "$name"); do
            proc_running "$label" && proc_pid "$label"
        done
    done
    return 0
}

cmd_kill() {
    (($#)) || { echo "usage: $0 kill NAME|NAME.i ..." >&2; exit 2; }
    check_names "$@"
    local name label
    for name in "$@"; do
        for label in $(labels_of "$name"); do
            proc_kill "$label"
            rm -f "$PROC_RUN_DIR/$label.argv"
        done
    done
}

verb=${1:-}
shift || true
# One change at a time: two `start`s at once (two terminals, a test and a
# developer) would otherwise race over the same pidfiles and ports.
if [[ "$verb" =~ ^(start|stop|stop-one|restart|kill)$ ]]; then
    mkdir -p "$PROC_RUN_DIR"
    exec 9>"$PROC_RUN_DIR/services.lock"
    flock 9
fi
case "$verb" in
start)
    cmd_start "$@"
    (($#)) || echo "services: up — gateway $PORTAL_GATEWAY_URL"
    ;;
stop | stop-one) cmd_stop "$@" ;;
restart)
    (($#)) || { echo "usage: $0 restart NAME|NAME.i ..." >&2; exit 2; }
    cmd_stop "$@"
    cmd_start "$@"
    ;;
status) cmd_status ;;
pids) cmd_pids "$@" ;;
kill) cmd_kill "$@" ;;
*)
    echo "usage: $0 start [NAME|NAME.i ...] | stop [NAME|NAME.i ...] | restart NAME|NAME.i ... | status | pids NAME|NAME.i ... | kill NAME|NAME.i ..." >&2
    exit 2
    ;;
esac
