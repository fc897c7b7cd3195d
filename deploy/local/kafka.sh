#!/usr/bin/env bash
# deploy/local/kafka.sh start|stop|status|kill — one Apache Kafka 4.x node in
# KRaft mode (broker and controller in one JVM), from the Maven Central jars in
# $PORTAL_LOCAL_DIR/kafka/libs (see setup.sh and kafka/pom.xml).
#
#   broker      $KAFKA_BOOTSTRAP_SERVERS   (127.0.0.1:19092, PLAINTEXT)
#   controller  same host, $KAFKA_CONTROLLER_PORT (19093)
#   data        $PORTAL_LOCAL_DIR/kafka/data (formatted once, kept across restarts)
#   config      $PORTAL_LOCAL_DIR/kafka/server.properties (rewritten each start)
#   log         $PORTAL_LOCAL_DIR/log/kafka.log
#
# `start` ends when the broker answers a metadata request and every topic of
# deploy/topology.toml exists, each with its .dlq twin (missing ones are
# created; one JVM for both). PORTAL_KAFKA_TOPICS_FILE, when set, names a
# "<topic> <partitions>" list to use instead.
# `kill` SIGKILLs the broker (fault tests); a later `start` recovers the same
# data without re-formatting.
#
# Env: KAFKA_HEAP_OPTS (default -Xms256m -Xmx512m), PORTAL_KAFKA_START_TIMEOUT (60).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
# shellcheck source=proc.sh
. "$here/proc.sh"

NAME=kafka
KDIR="$PORTAL_LOCAL_DIR/kafka"
LIBS="$KDIR/libs"
DATA="$KDIR/data"
TOOLS="$KDIR/tools"
PROPS="$KDIR/server.properties"
KLOG="$PORTAL_LOCAL_DIR/log/kafka.log"
TOPICS_FILE="${PORTAL_KAFKA_TOPICS_FILE:-$KDIR/topics.txt}"
START_TIMEOUT="${PORTAL_KAFKA_START_TIMEOUT:-60}"
JAVA="${JAVA:-java}"

# First address of the bootstrap list is the one this broker listens on.
bootstrap_first=${KAFKA_BOOTSTRAP_SERVERS%%,*}
HOST=${bootstrap_first%:*}
PORT=${bootstrap_first##*:}
CPORT=$KAFKA_CONTROLLER_PORT

# The short-lived tool JVMs log errors only (see kafka/log4j2-tools.xml).
tool_java() {
    "$JAVA" -Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Dlog4j2.configurationFile="$here/kafka/log4j2-tools.xml" "$@"
}

check_libs() {
    if ! compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; then
        echo "kafka: no Kafka jars in $LIBS: run deploy/local/setup.sh" >&2
        exit 1
    fi
}

write_config() {
    mkdir -p "$KDIR" "$DATA" "$(dirname "$KLOG")"
    cat >"$PROPS" <<EOF
# Written by deploy/local/kafka.sh on every start: edit that script instead.
# One node that is both broker and controller (KRaft, no ZooKeeper).
process.roles=broker,controller
node.id=1
# Static quorum of one voter (the storage is formatted without --standalone).
controller.quorum.voters=1@$HOST:$CPORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$DATA

# Topics are declared in deploy/topology.toml and created by this script, so
# a typo in a producer fails loudly instead of creating a stray topic.
auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1

# Internal topics: one replica (single node). Fewer partitions than the default
# 50 make the first consumer group / transaction / share group start faster;
# with one broker, more partitions would spread nothing.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=10

# Tests start consumers and expect them to get partitions at once.
group.initial.rebalance.delay.ms=0

# After a SIGKILL (kafka.sh kill, fault tests) the restarted broker cannot
# register until the controller expires the dead incarnation's session
# (default 9 s, heartbeat every 2 s): shorter values make a restart ready in
# ~5 s instead of ~13 s. Still far above any pause seen on loopback.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=4000

# A small machine (2 cores): fewer threads than the defaults.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=2
EOF
}

# A Kafka cluster id is a UUID in URL-safe base64 without padding (22 chars).
# Made here rather than by `kafka-storage random-uuid` to save a JVM start.
# Kafka itself never hands out one that starts with '-' (it would read as an
# option), so neither do we.
new_cluster_id() {
    local id
    while :; do
        id=$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
        [[ ${#id} == 22 && $id != -* ]] && break
    done
    printf '%s\n' "$id"
}

format_storage() {
    [[ -f "$DATA/meta.properties" ]] && return 0
    local id_file="$KDIR/cluster.id"
    [[ -s "$id_file" ]] || new_cluster_id >"$id_file"
    echo "kafka: formatting $DATA (cluster id $(cat "$id_file"))"
    if ! tool_java -cp "$LIBS/*" kafka.tools.StorageTool format \
        --cluster-id "$(cat "$id_file")" --config "$PROPS" --ignore-formatted \
        >>"$KLOG" 2>&1; then
        proc_fail "$NAME" "$KLOG" "storage format failed"
        exit 1
    fi
}

# Compile the admin helper once (and again when its source or the jars change).
build_admin_tool() {
    local src="$here/kafka/PortalKafkaAdmin.java" cls="$TOOLS/PortalKafkaAdmin.class"
    if [[ ! -f "$cls" || "$src" -nt "$cls" || "$LIBS/.pom.sha256" -nt "$cls" ]]; then
        command -v javac >/dev/null || { echo "kafka: javac not found (a JDK 17+ is required)" >&2; exit 1; }
        mkdir -p "$TOOLS"
        javac -nowarn -d "$TOOLS" -cp "$LIBS/*" "$src"
    fi
}

# The topic list, rendered from the topology (machine python3, no virtualenv needed).
write_topics() {
    [[ -n "${PORTAL_KAFKA_TOPICS_FILE:-}" ]] && return 0
    mkdir -p "$KDIR"
    "${UV_PYTHON:-python3}" -S "$PORTAL_REPO_DIR/deploy/topology.py" topics >"$TOPICS_FILE.tmp"
    mv -f "$TOPICS_FILE.tmp" "$TOPICS_FILE"
}

admin_tool() { # admin_tool TIMEOUT [TOPICS_FILE]
    tool_java -cp "$LIBS/*:$TOOLS" PortalKafkaAdmin "$KAFKA_BOOTSTRAP_SERVERS" "$@"
}

cmd_start() {
    check_libs
    if proc_running "$NAME" && wait_tcp "$HOST" "$PORT" 1 2>/dev/null; then
        echo "kafka: already running (pid $(proc_pid "$NAME")) on $HOST:$PORT"
        return 0
    fi
    build_admin_tool
    if ! proc_running "$NAME"; then
        local p
        for p in "$PORT" "$CPORT"; do
            if port_in_use "$HOST" "$p"; then
                echo "kafka: $HOST:$p is taken by another process (not ours: no live pidfile)" >&2
                exit 1
            fi
        done
        write_config
        format_storage
        # Heap and GC as Kafka's own kafka-server-start.sh sets them, smaller.
        # shellcheck disable=SC2086
        proc_start "$NAME" "$KLOG" -- "$JAVA" ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} \
            -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
            -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
            -Djava.awt.headless=true \
            -Dlog4j2.configurationFile="$here/kafka/log4j2.xml" \
            -cp "$LIBS/*" kafka.Kafka "$PROPS"
    fi
    local t0=$SECONDS
    # Cheap wait for the port first (no JVM), then one JVM that waits for a
    # metadata answer and creates the missing topics.
    if ! wait_tcp "$HOST" "$PORT" "$START_TIMEOUT" "$NAME"; then
        proc_fail "$NAME" "$KLOG" "broker port $HOST:$PORT did not open within ${START_TIMEOUT}s" || true
        cmd_stop >&2 # leave nothing half-started behind
        exit 1
    fi
    local left=$((START_TIMEOUT - (SECONDS - t0)))
    ((left > 5)) || left=5
    write_topics
    if ! admin_tool "$left" "$TOPICS_FILE"; then
        proc_fail "$NAME" "$KLOG" "broker not ready (metadata/topics) within ${START_TIMEOUT}s" || true
        cmd_stop >&2
        exit 1
    fi
    echo "kafka: ready on $HOST:$PORT"
}

cmd_stop() {
    # SIGTERM = controlled shutdown (flushes and closes the logs cleanly).
    proc_stop "$NAME" TERM 30
}

cmd_status() {
    if proc_running "$NAME" && wait_tcp "$HOST" "$PORT" 1 2>/dev/null; then
        echo "kafka: running (pid $(proc_pid "$NAME")) on $HOST:$PORT"
    elif proc_running "$NAME"; then
        echo "kafka: process $(proc_pid "$NAME") alive but $HOST:$PORT closed"
        return 1
    else
        echo "kafka: stopped"
        return 3
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop && cmd_start ;;
    kill) proc_kill "$NAME" ;;
    # Readiness + topic check against a running broker, without starting one.
    check) check_libs && build_admin_tool && write_topics && admin_tool 10 "$TOPICS_FILE" ;;
    *) echo "usage: $0 start|stop|status|restart|kill|check" >&2; exit 2 ;;
esac
