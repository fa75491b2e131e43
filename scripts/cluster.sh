#!/usr/bin/env bash
# A three-node local RabbitMQ cluster for development and manual fault testing.
#
#   ./scripts/cluster.sh up       start the nodes (or the ones that are down) and join them into one cluster
#   ./scripts/cluster.sh status   nodes, ports, pids, cluster members, and the RABBITMQ_URL to use
#   ./scripts/cluster.sh down     stop the nodes and delete their state
#
# Settings (environment):
#   CLUSTER_DIR              state folder (configs, data, logs, shared HOME with the Erlang cookie);
#                            default .cluster/ in the repository (git-ignored)
#   CLUSTER_NAME             node name prefix; nodes are <prefix>-1@<short host>, ... (default qs-cluster)
#   CLUSTER_AMQP_PORT        AMQP port of node 1; nodes 2 and 3 take the next two (default 5681)
#   CLUSTER_DIST_PORT        Erlang distribution port of node 1, then +1, +2 (default 25681)
#   CLUSTER_MANAGEMENT_PORT  if set, enables the management plugin on this port (+1, +2) (default: off)
#   CLUSTER_TIMEOUT          seconds to wait for a node to start or stop (default 90)
#
# Facts this script relies on (Debian's rabbitmq-server 3.10, see /usr/lib/rabbitmq/bin):
#   - the scripts under /usr/lib/rabbitmq/bin are called directly: the /usr/sbin wrappers switch user and
#     send every node's output to one shared startup log;
#   - RABBITMQ_CONF_ENV_FILE=/dev/null and a per-node enabled-plugins file keep the machine's own
#     configuration (/etc/rabbitmq) out;
#   - the nodes share one Erlang cookie through one HOME; every rabbitmqctl call uses the same HOME;
#   - "rabbitmq-server -detached" returns before the node is up: poll "rabbitmqctl ping", then "await_startup";
#   - net_ticktime 15 (and aten poll_interval 1000) so a paused node is noticed in about 20 s, not 60+;
#   - the machine's own node (5672, 15672, 25672) is never touched: those ports are refused.
#
# The Java tests do not use this script: PrivateRabbitCluster (core test sources) starts clusters of its
# own on free ports with a per-test lifecycle. Both give their nodes the settings in scripts/cluster-node/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source scripts/lib.sh

BIN=/usr/lib/rabbitmq/bin
NODES=(1 2 3)
CLUSTER_DIR="${CLUSTER_DIR:-$PROJECT_ROOT/.cluster}"
CLUSTER_NAME="${CLUSTER_NAME:-qs-cluster}"
CLUSTER_AMQP_PORT="${CLUSTER_AMQP_PORT:-5681}"
CLUSTER_DIST_PORT="${CLUSTER_DIST_PORT:-25681}"
CLUSTER_MANAGEMENT_PORT="${CLUSTER_MANAGEMENT_PORT:-}"
CLUSTER_TIMEOUT="${CLUSTER_TIMEOUT:-90}"
NODE_SETTINGS="$PROJECT_ROOT/scripts/cluster-node"   # the nodes' settings, shared with the tests
MARKER=".qs-cluster"          # only a folder holding this file is ever deleted by "down"
LOCALHOST_ONLY="-kernel inet_dist_use_interface {127,0,0,1}"

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

check_settings() {
    local var
    for var in CLUSTER_AMQP_PORT CLUSTER_DIST_PORT CLUSTER_TIMEOUT; do
        is_uint "${!var}" || die "$var must be a number but was '${!var}'"
    done
    if [[ -n "$CLUSTER_MANAGEMENT_PORT" ]] && ! is_uint "$CLUSTER_MANAGEMENT_PORT"; then
        die "CLUSTER_MANAGEMENT_PORT must be a number but was '$CLUSTER_MANAGEMENT_PORT'"
    fi
    [[ "$CLUSTER_NAME" =~ ^[A-Za-z0-9_-]+$ ]] || die "CLUSTER_NAME may hold letters, digits, - and _ only but was '$CLUSTER_NAME'"
    local n port
    for n in "${NODES[@]}"; do
        for port in "$(amqp_port "$n")" "$(dist_port "$n")" ${CLUSTER_MANAGEMENT_PORT:+"$(management_port "$n")"}; do
            case "$port" in
                5672 | 15672 | 25672 | 4369)
                    die "port $port belongs to the machine's own RabbitMQ node (or epmd); choose other CLUSTER_*_PORT values" ;;
            esac
            (( port >= 1024 && port <= 65535 )) || die "port $port is out of range 1024-65535"
            (( port < 35672 || port > 35682 )) || die "port $port is in 35672-35682, which rabbitmqctl uses for itself"
        done
    done
}

amqp_port() { echo $((CLUSTER_AMQP_PORT + $1 - 1)); }
dist_port() { echo $((CLUSTER_DIST_PORT + $1 - 1)); }
management_port() { echo $((CLUSTER_MANAGEMENT_PORT + $1 - 1)); }
node_name() { echo "$CLUSTER_NAME-$1@$SHORT_HOST"; }
node_dir() { echo "$CLUSTER_DIR/node$1"; }

# Runs a RabbitMQ script for node $1 with only that node's environment (nothing inherited leaks in).
rabbit() {
    local n="$1" dir
    shift
    dir="$(node_dir "$n")"
    env -i \
        PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
        HOME="$CLUSTER_DIR/home" LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        ERL_EPMD_ADDRESS=127.0.0.1 \
        ERL_CRASH_DUMP="$dir/log/erl_crash.dump" \
        RABBITMQ_CONF_ENV_FILE=/dev/null \
        RABBITMQ_NODENAME="$(node_name "$n")" \
        RABBITMQ_NODE_PORT="$(amqp_port "$n")" \
        RABBITMQ_DIST_PORT="$(dist_port "$n")" \
        RABBITMQ_MNESIA_BASE="$dir/mnesia" \
        RABBITMQ_LOG_BASE="$dir/log" \
        RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
        RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
        RABBITMQ_PID_FILE="$dir/node.pid" \
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$LOCALHOST_ONLY" \
        RABBITMQ_CTL_ERL_ARGS="$LOCALHOST_ONLY" \
        "$@"
}

# rabbitmqctl for node $1, bounded in time; rabbitmqctl prints ANSI escapes even into pipes.
ctl() {
    local n="$1" secs="$2"
    shift 2
    rabbit "$n" timeout --kill-after=5 "$secs" "$BIN/rabbitmqctl" -n "$(node_name "$n")" "$@" 2>&1 \
        | sed 's/\x1b\[[0-9;]*[A-Za-z]//g'
    return "${PIPESTATUS[0]}"
}

node_pid() {
    local pid
    pid="$(cat "$(node_dir "$1")/node.pid" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    # Ours only: the beam's command line holds our HOME (guards against a reused pid).
    tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$CLUSTER_DIR/home" || return 1
    echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_node_files() {
    local n="$1" dir
    dir="$(node_dir "$n")"
    mkdir -p "$dir/mnesia" "$dir/log"
    {
        echo "listeners.tcp.1 = 127.0.0.1:$(amqp_port "$n")"
        echo "loopback_users.guest = true"
        if [[ -n "$CLUSTER_MANAGEMENT_PORT" ]]; then
            echo "management.tcp.ip = 127.0.0.1"
            echo "management.tcp.port = $(management_port "$n")"
        fi
        # What makes the nodes a cluster (partition handling), as in the tests' clusters.
        cat "$NODE_SETTINGS/rabbitmq.conf"
    } >"$dir/rabbitmq.conf"
    # net_ticktime 15: a node that stops answering (SIGSTOP, a frozen VM) is noticed in about 20 s.
    cp "$NODE_SETTINGS/advanced.config" "$dir/advanced.config"
    if [[ -n "$CLUSTER_MANAGEMENT_PORT" ]]; then
        echo "[rabbitmq_management]." >"$dir/enabled_plugins"
    else
        echo "[]." >"$dir/enabled_plugins"
    fi
}

prepare() {
    if [[ -d "$CLUSTER_DIR" && ! -f "$CLUSTER_DIR/$MARKER" ]] && [[ -n "$(ls -A "$CLUSTER_DIR")" ]]; then
        die "$CLUSTER_DIR exists and was not made by this script; set CLUSTER_DIR to another folder"
    fi
    mkdir -p "$CLUSTER_DIR/home"
    touch "$CLUSTER_DIR/$MARKER"
    local cookie="$CLUSTER_DIR/home/.erlang.cookie"
    if [[ ! -f "$cookie" ]]; then
        local byte value=""
        for byte in $(od -An -N32 -tu1 /dev/urandom); do
            value+="$(printf "\\x$(printf %x $((65 + byte % 26)))")"
        done
        (umask 077 && printf '%s' "$value" >"$cookie")
        chmod 400 "$cookie"
    fi
    local n
    for n in "${NODES[@]}"; do
        write_node_files "$n"
    done
}

# Waits until node $1 answers ping and has booted; fails with the log tail when it dies or times out.
await_node() {
    local n="$1" deadline=$((SECONDS + CLUSTER_TIMEOUT)) dir
    dir="$(node_dir "$n")"
    until ctl "$n" 10 ping >/dev/null 2>&1; do
        if [[ -f "$dir/log/erl_crash.dump" ]]; then
            node_failed "$n" "died while starting ($(grep -m1 '^Slogan:' "$dir/log/erl_crash.dump" || true))"
        fi
        (( SECONDS < deadline )) || node_failed "$n" "did not answer ping within ${CLUSTER_TIMEOUT} s"
        sleep 0.5
    done
    local left=$((deadline - SECONDS))
    (( left > 5 )) || left=5
    ctl "$n" $((left + 5)) await_startup --timeout "$left" >/dev/null \
        || node_failed "$n" "did not finish booting within ${CLUSTER_TIMEOUT} s"
}

node_failed() {
    local n="$1" dir
    dir="$(node_dir "$n")"
    echo "error: node $(node_name "$n") $2" >&2
    echo "--- $dir/rabbitmq-server.out ---" >&2
    tail -n 20 "$dir/rabbitmq-server.out" >&2 2>/dev/null || true
    echo "--- $dir/log/$(node_name "$n").log ---" >&2
    tail -n 40 "$dir/log/$(node_name "$n").log" >&2 2>/dev/null || true
    echo "(the nodes that did start keep running; ./scripts/cluster.sh down stops them)" >&2
    exit 1
}

cmd_up() {
    check_settings
    prepare
    local n started=()
    for n in "${NODES[@]}"; do
        if node_pid "$n" >/dev/null; then
            info "$(node_name "$n") already runs (pid $(node_pid "$n"))"
            continue
        fi
        local port
        for port in "$(amqp_port "$n")" "$(dist_port "$n")" ${CLUSTER_MANAGEMENT_PORT:+"$(management_port "$n")"}; do
            port_in_use "$port" && die "port $port on 127.0.0.1 is already in use by another program; set other CLUSTER_*_PORT values"
        done
        rm -f "$(node_dir "$n")/log/erl_crash.dump"
        info "Starting $(node_name "$n"): AMQP 127.0.0.1:$(amqp_port "$n"), distribution $(dist_port "$n")"
        # The detached beam must not hold our stdout: its output goes to a file.
        (cd "$(node_dir "$n")" && rabbit "$n" "$BIN/rabbitmq-server" -detached \
            >>"$(node_dir "$n")/rabbitmq-server.out" 2>&1 </dev/null) \
            || node_failed "$n" "rabbitmq-server -detached failed"
        started+=("$n")
    done
    for n in "${started[@]}"; do
        await_node "$n"
        info "$(node_name "$n") is up (pid $(node_pid "$n" || echo '?'))"
    done
    # Join nodes 2 and 3 to node 1, once: a restarted member finds its cluster by itself.
    for n in "${NODES[@]:1}"; do
        [[ -f "$(node_dir "$n")/joined" ]] && continue
        info "Joining $(node_name "$n") to $(node_name 1)"
        local step
        for step in "stop_app" "reset" "join_cluster $(node_name 1)" "start_app"; do
            # shellcheck disable=SC2086 # step holds a command and its argument
            ctl "$n" "$CLUSTER_TIMEOUT" $step >/dev/null || node_failed "$n" "could not '$step'"
        done
        touch "$(node_dir "$n")/joined"
    done
    cmd_status
}

cmd_status() {
    check_settings
    local n pid urls=() any=0
    printf '%-32s %-6s %-6s %-8s %s\n' NODE AMQP DIST PID STATE
    for n in "${NODES[@]}"; do
        local state="stopped"
        if pid="$(node_pid "$n")"; then
            any=1
            if [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" == T* ]]; then
                state="paused (SIGSTOP)"
            else
                state="running"
            fi
        else
            pid="-"
        fi
        printf '%-32s %-6s %-6s %-8s %s\n' "$(node_name "$n")" "$(amqp_port "$n")" "$(dist_port "$n")" "$pid" "$state"
        urls+=("amqp://guest:guest@127.0.0.1:$(amqp_port "$n")")
    done
    if (( any )); then
        for n in "${NODES[@]}"; do
            node_pid "$n" >/dev/null || continue
            echo
            echo "cluster_status (asked $(node_name "$n")):"
            # The members and which of them run; the rest of the output is in "rabbitmqctl cluster_status".
            ctl "$n" 20 cluster_status 2>/dev/null \
                | awk '/^(Disk Nodes|Running Nodes|Network Partitions|Alarms)$/ {p=1; print; next} /^[A-Z]/ {p=0} p && NF' \
                || echo "  (no answer from $(node_name "$n"))"
            break
        done
    else
        echo
        echo "No node runs (./scripts/cluster.sh up starts them)."
    fi
    echo
    local IFS=,
    echo "RABBITMQ_URL=${urls[*]}"
}

cmd_down() {
    check_settings
    if [[ ! -d "$CLUSTER_DIR" ]]; then
        info "Nothing to stop: $CLUSTER_DIR does not exist"
        return 0
    fi
    [[ -f "$CLUSTER_DIR/$MARKER" ]] || die "$CLUSTER_DIR was not made by this script; not touching it"
    local n pid pids=()
    for n in "${NODES[@]}"; do
        pid="$(node_pid "$n")" || continue
        kill -CONT "$pid" 2>/dev/null || true     # a paused node cannot stop
        info "Stopping $(node_name "$n") (pid $pid)"
        ctl "$n" 30 stop >/dev/null 2>&1 || true
        pids+=("$pid")
    done
    local deadline=$((SECONDS + CLUSTER_TIMEOUT))
    for pid in "${pids[@]}"; do
        while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.3; done
        if kill -0 "$pid" 2>/dev/null; then
            info "pid $pid did not stop, killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -rf -- "$CLUSTER_DIR"
    info "Stopped; removed $CLUSTER_DIR"
}

SHORT_HOST="$(hostname -s 2>/dev/null || true)"
SHORT_HOST="${SHORT_HOST:-localhost}"
[[ -x "$BIN/rabbitmqctl" ]] || die "$BIN/rabbitmqctl not found: install RabbitMQ (apt-get install rabbitmq-server)"

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) usage ;;
esac
