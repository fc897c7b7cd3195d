#!/usr/bin/env bash
# deploy/local/postgres.sh start|stop|status — the project's own PostgreSQL 15
# cluster: data in $PORTAL_LOCAL_DIR/pg, TCP on $PORTAL_PG_HOST:$PORTAL_PG_PORT
# only (127.0.0.1:15432), unix socket in $PORTAL_LOCAL_DIR/run/pg, log in
# $PORTAL_LOCAL_DIR/log/postgres.log.
#
# It never touches the machine's own cluster (Debian's 15/main on 5432).
#
# PostgreSQL refuses to run as root, so the server runs as the `postgres` OS
# user, started with `setpriv` (which execs, unlike su/runuser that fork and
# wait): the pid in our pidfile is then the postmaster itself.
#
# `start` provisions, idempotently, on every call:
#   - $PORTAL_PG_ADMIN_USER: SUPERUSER LOGIN, scram password — tests create
#     their per-worker databases with it over TCP;
#   - per service in $PORTAL_SERVICE_DBS: role NAME (LOGIN CREATEDB, password
#     NAME) owning database NAME;
#   - every database a service role owns (its own, and the per-worker test
#     copies servicekit.testing.databases makes) loses PostgreSQL's default
#     PUBLIC grants (CONNECT, TEMPORARY): only its owner, and the admin, get in.
#     Each service owns its data (PL-01): no other service's role can so much as
#     connect (tests/integration/test_database_ownership.py proves it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
# shellcheck source=proc.sh
. "$here/proc.sh"

NAME=postgres
PG_BIN="${PORTAL_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_OS_USER="${PORTAL_PG_OS_USER:-postgres}"
PG_LOG="$PORTAL_LOCAL_DIR/log/postgres.log"
PG_DATA="${PORTAL_PG_DATA:-$PORTAL_LOCAL_DIR/pg}"
PG_SOCK_DIR="${PORTAL_PG_SOCKET_DIR:-$PORTAL_LOCAL_DIR/run/pg}"
START_TIMEOUT="${PORTAL_PG_START_TIMEOUT:-60}"

# Run a command as the postgres OS user from a directory it can read (initdb
# and psql complain when the cwd is e.g. /root).
as_pg() {
    (cd / && setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- "$@")
}

# The postgres user must be able to reach its data and socket directories. A
# checkout under a private directory (say /root/...) is not traversable by it:
# then, rather than chmod'ing the user's directories, keep the cluster under
# /var/tmp (one per checkout) and leave a symlink in .local for humans.
resolve_dirs() {
    [[ -x "$PG_BIN/postgres" ]] || { echo "postgres: $PG_BIN/postgres missing: run deploy/local/setup.sh" >&2; exit 1; }
    id "$PG_OS_USER" >/dev/null 2>&1 || { echo "postgres: OS user $PG_OS_USER missing: run deploy/local/setup.sh" >&2; exit 1; }
    mkdir -p "$PORTAL_LOCAL_DIR/run" "$PORTAL_LOCAL_DIR/log"
    if [[ -z "${PORTAL_PG_DATA:-}" ]] && ! as_pg test -x "$PORTAL_LOCAL_DIR"; then
        local base
        base="/var/tmp/portal-pg-$(printf '%s' "$PORTAL_LOCAL_DIR" | cksum | cut -d' ' -f1)"
        echo "postgres: $PG_OS_USER cannot traverse $PORTAL_LOCAL_DIR; cluster kept in $base" >&2
        mkdir -p "$base"
        PG_DATA="$base/data"
        PG_SOCK_DIR="$base/run"
        [[ -e "$PORTAL_LOCAL_DIR/pg" ]] || ln -s "$PG_DATA" "$PORTAL_LOCAL_DIR/pg"
    fi
    # A unix socket path is limited to 107 bytes; a deep checkout could exceed
    # it, so fall back to a short per-checkout directory under /tmp.
    if ((${#PG_SOCK_DIR} + ${#PORTAL_PG_PORT} + 10 > 100)); then
        PG_SOCK_DIR="/tmp/portal-pg-$(printf '%s' "$PORTAL_LOCAL_DIR" | cksum | cut -d' ' -f1)"
    fi
    mkdir -p "$PG_SOCK_DIR"
    chown "$PG_OS_USER:" "$PG_SOCK_DIR"
    chmod 0755 "$PG_SOCK_DIR"
    # Let other tools find the socket directory (psql -h "$(cat ...)").
    printf '%s\n' "$PG_SOCK_DIR" >"$PORTAL_LOCAL_DIR/run/pg.socketdir"
}

init_cluster() {
    [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
    echo "postgres: initdb $PG_DATA"
    # initdb into a temporary directory and rename it, so that an interrupted
    # initdb never leaves a half-made cluster that later starts look valid.
    local tmp="$PG_DATA.initdb"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$PG_DATA")" "$tmp"
    chown "$PG_OS_USER:" "$tmp"
    chmod 0700 "$tmp"
    if ! as_pg "$PG_BIN/initdb" -D "$tmp" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1; then
        proc_fail "$NAME" "$PG_LOG" "initdb failed"
        exit 1
    fi
    # Our settings live in portal.conf (rewritten on each start, so changed
    # env vars apply); postgresql.conf stays initdb's, plus one include line.
    echo "include_if_exists = 'portal.conf'" >>"$tmp/postgresql.conf"
    rm -rf "$PG_DATA"
    mv "$tmp" "$PG_DATA"
}

write_config() {
    cat >"$PG_DATA/portal.conf" <<EOF
# Written by deploy/local/postgres.sh on every start: edit that script instead.
listen_addresses = '$PORTAL_PG_HOST'
port = $PORTAL_PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
# Tests run several service processes and pytest-xdist workers, each with a pool.
max_connections = 300
password_encryption = scram-sha-256
# Log to stderr, which proc_start sends to $PG_LOG.
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = -1
# Durability settings are left at their defaults on purpose (fsync,
# synchronous_commit, full_page_writes stay on): tests see real behaviour.
EOF
    # Authentication: the postgres OS user over the socket (peer) for this
    # script's own provisioning; everyone else by scram password; TCP only
    # from loopback.
    cat >"$PG_DATA/pg_hba.conf" <<EOF
# Written by deploy/local/postgres.sh on every start: edit that script instead.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer
local   all       all                      scram-sha-256
host    all       all       127.0.0.1/32   scram-sha-256
EOF
    chown "$PG_OS_USER:" "$PG_DATA/portal.conf" "$PG_DATA/pg_hba.conf"
    chmod 0600 "$PG_DATA/portal.conf" "$PG_DATA/pg_hba.conf"
}

pg_ready() {
    "$PG_BIN/pg_isready" -q -h "$PORTAL_PG_HOST" -p "$PORTAL_PG_PORT" -t 2 >/dev/null 2>&1
}

# Idempotent: CREATE only what is missing; passwords are (re)set each time so
# that a changed PORTAL_PG_ADMIN_PASSWORD applies on the next start.
provision() {
    local sql
    sql=$(cat <<'EOF'
SELECT format('CREATE ROLE %I', :'admin_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'admin_user') \gexec
SELECT format('ALTER ROLE %I WITH SUPERUSER CREATEDB CREATEROLE LOGIN PASSWORD %L',
              :'admin_user', :'admin_pw') \gexec
EOF
)
    local svc
    for svc in $PORTAL_SERVICE_DBS; do
        [[ "$svc" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "postgres: bad service name '$svc'" >&2; exit 1; }
        sql+=$(cat <<EOF

SELECT format('CREATE ROLE %I', '$svc')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$svc') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', '$svc', '$svc') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$svc', '$svc')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$svc') \gexec
EOF
)
    done
    local owners
    # shellcheck disable=SC2086 # one quoted name per service, names checked above
    owners=$(printf "'%s'," $PORTAL_SERVICE_DBS)
    sql+=$(cat <<EOF

SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', datname)
  FROM pg_database
 WHERE NOT datistemplate AND pg_get_userbyid(datdba) IN (${owners%,}) \gexec
EOF
)
    printf '%s\n' "$sql" | as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -v admin_user="$PORTAL_PG_ADMIN_USER" -v admin_pw="$PORTAL_PG_ADMIN_PASSWORD" \
        -h "$PG_SOCK_DIR" -p "$PORTAL_PG_PORT" -U postgres -d postgres >/dev/null
}

cmd_start() {
    resolve_dirs
    if proc_running "$NAME" && pg_ready; then
        provision
        echo "postgres: already running (pid $(proc_pid "$NAME")) on $PORTAL_PG_HOST:$PORTAL_PG_PORT"
        return 0
    fi
    if proc_running "$NAME"; then
        # Alive but not answering: maybe still recovering; wait below.
        echo "postgres: running but not ready yet, waiting"
    else
        if port_in_use "$PORTAL_PG_HOST" "$PORTAL_PG_PORT"; then
            echo "postgres: $PORTAL_PG_HOST:$PORTAL_PG_PORT is taken by another process (not ours: no live pidfile)" >&2
            exit 1
        fi
        init_cluster
        write_config
        proc_start "$NAME" "$PG_LOG" -- \
            setpriv --reuid="$PG_OS_USER" --regid="$PG_OS_USER" --init-groups -- \
            "$PG_BIN/postgres" -D "$PG_DATA"
    fi
    local deadline=$((SECONDS + START_TIMEOUT))
    until pg_ready; do
        if ! proc_running "$NAME"; then
            proc_fail "$NAME" "$PG_LOG" "exited during startup"
            exit 1
        fi
        if ((SECONDS >= deadline)); then
            proc_fail "$NAME" "$PG_LOG" "not ready on $PORTAL_PG_HOST:$PORTAL_PG_PORT after ${START_TIMEOUT}s" || true
            cmd_stop >&2 # leave nothing half-started behind
            exit 1
        fi
        sleep 0.2
    done
    provision
    echo "postgres: ready on $PORTAL_PG_HOST:$PORTAL_PG_PORT (databases: $PORTAL_SERVICE_DBS)"
}

cmd_stop() {
    # SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions and
    # disconnect clients. SIGTERM ("smart") would wait for every pooled
    # connection of every service to close, possibly forever.
    proc_stop "$NAME" INT 30
}

cmd_status() {
    if proc_running "$NAME" && pg_ready; then
        echo "postgres: running (pid $(proc_pid "$NAME")) on $PORTAL_PG_HOST:$PORTAL_PG_PORT"
    elif proc_running "$NAME"; then
        echo "postgres: process $(proc_pid "$NAME") alive but not accepting connections"
        return 1
    else
        echo "postgres: stopped"
        return 3
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop && cmd_start ;;
    *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
