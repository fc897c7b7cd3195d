# shellcheck shell=bash
# deploy/local/proc.sh — tiny process supervisor for native local processes.
#
# Sourced (bash) by the infra scripts here and by the service starter:
#
#   proc_start NAME LOGFILE -- CMD...   start CMD detached, stdout+stderr >> LOGFILE,
#                                      pid in $PORTAL_LOCAL_DIR/run/NAME.pid
#                                      (returns 0 at once if NAME already runs)
#   proc_running NAME                  0 if the pidfile names a live process
#   proc_pid NAME                      print that pid (or fail)
#   proc_stop NAME [SIGNAL] [TIMEOUT]  SIGNAL (default TERM) to the pid, wait up to
#                                      TIMEOUT s (default 20), then SIGKILL its group
#   proc_kill NAME                     SIGKILL at once (fault tests), wait until gone
#   wait_tcp HOST PORT TIMEOUT [NAME]  until a TCP connect succeeds
#   wait_http URL TIMEOUT [NAME]       until URL answers 2xx/3xx
#   proc_fail NAME LOGFILE MESSAGE     print MESSAGE and the log tail, return 1
#   port_in_use HOST PORT              0 if something accepts connections there
#                                      (checked before a start: a clear error
#                                      instead of talking to a stranger)
#
# With NAME, the waits give up early if that process has died (no point in
# waiting 60 s for a port a crashed process will never open).
#
# Only pidfiles are trusted: nothing here ever looks processes up by name, so
# two checkouts (or a developer's and CI's) never kill each other's processes.

: "${PORTAL_LOCAL_DIR:?source deploy/local/env.sh first}"
PROC_RUN_DIR="${PROC_RUN_DIR:-$PORTAL_LOCAL_DIR/run}"
PROC_LOG_DIR="${PROC_LOG_DIR:-$PORTAL_LOCAL_DIR/log}"

_proc_pidfile() { printf '%s/%s.pid' "$PROC_RUN_DIR" "$1"; }

# Field 22 of /proc/PID/stat: the start time in clock ticks since boot. Kept
# beside the pidfile so that a recycled pid (after a crash, days later) is not
# mistaken for our process. The command name (field 2) may hold spaces or
# parentheses, so cut after the last ')'.
_proc_starttime() {
    local stat f
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    # after the cut, index 0 is the state (field 3 of the full line), so
    # field 22 is index 19
    read -ra f <<<"$stat"
    printf '%s' "${f[19]}"
}

# The state letter of a pid (R, S, D, Z, ...), empty if there is no such pid.
_proc_state() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    printf '%s' "${stat%% *}"
}

# A pid is alive if it exists and is not a zombie (a SIGKILLed child of the
# current shell stays a zombie until reaped, and `kill -0` still succeeds).
_proc_alive() {
    local st
    st=$(_proc_state "$1")
    [[ -n "$st" && "$st" != "Z" && "$st" != "X" ]]
}

proc_pid() {
    local pidfile pid
    pidfile=$(_proc_pidfile "$1")
    [[ -s "$pidfile" ]] || return 1
    pid=$(head -n1 "$pidfile")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    printf '%s\n' "$pid"
}

proc_running() {
    local name=$1 pid want have
    pid=$(proc_pid "$name") || return 1
    _proc_alive "$pid" || return 1
    if [[ -s "$PROC_RUN_DIR/$name.starttime" ]]; then
        want=$(cat "$PROC_RUN_DIR/$name.starttime")
        have=$(_proc_starttime "$pid") || return 1
        [[ "$want" == "$have" ]] || return 1
    fi
    return 0
}

proc_start() {
    local name=$1 logfile=$2
    shift 2
    [[ "${1:-}" == "--" ]] && shift
    (($# > 0)) || { echo "proc_start $name: no command" >&2; return 2; }
    mkdir -p "$PROC_RUN_DIR" "$(dirname "$logfile")"
    if proc_running "$name"; then
        echo "$name: already running (pid $(proc_pid "$name"))"
        return 0
    fi
    local pidfile
    pidfile=$(_proc_pidfile "$name")
    rm -f "$pidfile" "$PROC_RUN_DIR/$name.starttime"
    printf '\n==== %s: starting %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$logfile"
    # setsid: own session and process group, no controlling terminal, so the
    # process survives the calling shell (make, CI step) and a later SIGKILL
    # escalation can take its whole group. The inner shell writes its own pid
    # and then execs the command, so the pidfile holds the real process id even
    # when setsid had to fork (it does when the caller runs with job control).
    # shellcheck disable=SC2016 # expanded by the inner shell, on purpose
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" \
        </dev/null >>"$logfile" 2>&1 &
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s "$pidfile" ]] && break
        sleep 0.1
    done
    local pid
    pid=$(proc_pid "$name") || { proc_fail "$name" "$logfile" "did not write its pidfile"; return 1; }
    _proc_starttime "$pid" >"$PROC_RUN_DIR/$name.starttime" 2>/dev/null || true
    echo "$name: started (pid $pid, log $logfile)"
}

proc_stop() {
    local name=$1 sig=${2:-TERM} timeout=${3:-20}
    local pidfile pid
    pidfile=$(_proc_pidfile "$name")
    if ! proc_running "$name"; then
        rm -f "$pidfile" "$PROC_RUN_DIR/$name.starttime"
        echo "$name: not running"
        return 0
    fi
    pid=$(proc_pid "$name")
    kill -s "$sig" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while _proc_alive "$pid" && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if _proc_alive "$pid"; then
        echo "$name: still alive after ${timeout}s, sending SIGKILL" >&2
        # The group id is the pid (setsid); kill the group so helpers die too.
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
        deadline=$((SECONDS + 10))
        while _proc_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    fi
    rm -f "$pidfile" "$PROC_RUN_DIR/$name.starttime"
    echo "$name: stopped"
}

proc_kill() {
    local name=$1 pid
    if ! proc_running "$name"; then
        echo "$name: not running"
        return 0
    fi
    pid=$(proc_pid "$name")
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 10))
    while _proc_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    rm -f "$(_proc_pidfile "$name")" "$PROC_RUN_DIR/$name.starttime"
    echo "$name: killed (pid $pid)"
}

proc_fail() {
    local name=$1 logfile=$2 msg=$3
    {
        echo "ERROR: $name: $msg"
        if [[ -f "$logfile" ]]; then
            echo "---- last 40 lines of $logfile ----"
            tail -n 40 "$logfile"
            echo "----"
        fi
    } >&2
    return 1
}

port_in_use() {
    # shellcheck disable=SC2016 # expanded by the inner shell, on purpose
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# wait_tcp HOST PORT TIMEOUT [NAME]
# Always tries at least once (SECONDS counts whole seconds, so a 1 s budget
# could otherwise expire before the first try).
wait_tcp() {
    local host=$1 port=$2 timeout=$3 name=${4:-}
    local deadline=$((SECONDS + timeout))
    while :; do
        # bash's /dev/tcp: no nc or curl needed; `timeout` bounds a hung connect.
        # shellcheck disable=SC2016 # expanded by the inner shell, on purpose
        if timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null; then
            return 0
        fi
        if [[ -n "$name" ]] && ! proc_running "$name"; then
            echo "wait_tcp: $name exited before $host:$port opened" >&2
            return 1
        fi
        ((SECONDS < deadline)) || break
        sleep 0.2
    done
    echo "wait_tcp: $host:$port not open after ${timeout}s" >&2
    return 1
}

# wait_http URL TIMEOUT [NAME] — 2xx/3xx counts as ready; at least one try.
wait_http() {
    local url=$1 timeout=$2 name=${3:-}
    local deadline=$((SECONDS + timeout))
    while :; do
        if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
            return 0
        fi
        if [[ -n "$name" ]] && ! proc_running "$name"; then
            echo "wait_http: $name exited before $url answered" >&2
            return 1
        fi
        ((SECONDS < deadline)) || break
        sleep 0.2
    done
    echo "wait_http: $url did not answer 2xx/3xx within ${timeout}s" >&2
    return 1
}
