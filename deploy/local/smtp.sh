#!/usr/bin/env bash
# deploy/local/smtp.sh start|stop|status — the SMTP sink (deploy/local/smtp_sink.py,
# aiosmtpd) on $SMTP_HOST:$SMTP_PORT (127.0.0.1:10025). Every mail received is
# stored as one .eml file in $PORTAL_MAIL_DIR; log in $PORTAL_LOCAL_DIR/log/smtp.log.
#
# Runs with the project's virtualenv python directly (not through `uv run`), so
# the pid in the pidfile is the sink itself and signals reach it unforwarded.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
# shellcheck source=proc.sh
. "$here/proc.sh"

NAME=smtp
MLOG="$PORTAL_LOCAL_DIR/log/smtp.log"
START_TIMEOUT="${PORTAL_SMTP_START_TIMEOUT:-30}"
PY="${UV_PROJECT_ENVIRONMENT:-$PORTAL_REPO_DIR/.venv}/bin/python"

# Ready = the server greets with "220" (an open port alone could still be the
# listener of a process that is shutting down).
smtp_greets() { # smtp_greets SECONDS
    # shellcheck disable=SC2016 # expanded by the inner shell, on purpose
    timeout "$1" bash -c '
        exec 3<>"/dev/tcp/$0/$1" || exit 1
        IFS= read -r -t 2 line <&3 || exit 1
        printf "QUIT\r\n" >&3
        [[ $line == 220* ]]' "$SMTP_HOST" "$SMTP_PORT" 2>/dev/null
}

cmd_start() {
    if proc_running "$NAME" && smtp_greets 2; then
        echo "smtp: already running (pid $(proc_pid "$NAME")) on $SMTP_HOST:$SMTP_PORT"
        return 0
    fi
    if ! proc_running "$NAME"; then
        if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
            echo "smtp: aiosmtpd is not importable by $PY: run deploy/local/setup.sh (uv sync)" >&2
            exit 1
        fi
        if port_in_use "$SMTP_HOST" "$SMTP_PORT"; then
            echo "smtp: $SMTP_HOST:$SMTP_PORT is taken by another process (not ours: no live pidfile)" >&2
            exit 1
        fi
        mkdir -p "$PORTAL_MAIL_DIR"
        proc_start "$NAME" "$MLOG" -- "$PY" -u "$here/smtp_sink.py" \
            --host "$SMTP_HOST" --port "$SMTP_PORT" --dir "$PORTAL_MAIL_DIR"
    fi
    local deadline=$((SECONDS + START_TIMEOUT))
    until smtp_greets 2; do
        if ! proc_running "$NAME"; then
            proc_fail "$NAME" "$MLOG" "exited during startup"
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            proc_fail "$NAME" "$MLOG" "no SMTP greeting on $SMTP_HOST:$SMTP_PORT within ${START_TIMEOUT}s" || true
            proc_stop "$NAME" TERM 10 >&2 # leave nothing half-started behind
            exit 1
        fi
        sleep 0.2
    done
    echo "smtp: ready on $SMTP_HOST:$SMTP_PORT (mail in $PORTAL_MAIL_DIR)"
}

cmd_status() {
    if proc_running "$NAME" && smtp_greets 2; then
        echo "smtp: running (pid $(proc_pid "$NAME")) on $SMTP_HOST:$SMTP_PORT"
    elif proc_running "$NAME"; then
        echo "smtp: process $(proc_pid "$NAME") alive but not greeting on $SMTP_HOST:$SMTP_PORT"
        return 1
    else
        echo "smtp: stopped"
        return 3
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) proc_stop "$NAME" TERM 10 ;;
    status) cmd_status ;;
    restart) proc_stop "$NAME" TERM 10 && cmd_start ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
