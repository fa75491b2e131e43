# shellcheck shell=bash
# Helpers shared by scripts/start.sh and scripts/test.sh. Source it, do not run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEFAULT_RABBITMQ_URL="amqp://guest:guest@localhost:5672"

die() { echo "error: $*" >&2; exit 1; }
info() { echo "==> $*" >&2; }

# Prints the major version of the given java binary (8 for "1.8.0_x", 21 for "21.0.2", 25 for "25-ea").
java_major() {
    local v
    v="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)" || return 1
    [[ -n "$v" ]] || return 1
    v="${v#1.}"                     # old scheme: 1.8 -> 8
    v="${v%%[!0-9]*}"               # keep the leading digits
    echo "${v:-0}"
}

# Exports JAVA_HOME (a JDK 21+) and puts its bin first on PATH.
# The system default java may be older (17 here), so it is never used blindly.
find_java() {
    local best="" best_major=0 dir major
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] \
        && major="$(java_major "$JAVA_HOME/bin/java")" && (( major >= 21 )); then
        best="$JAVA_HOME" best_major="$major"
    else
        for dir in /usr/lib/jvm/*/; do
            dir="${dir%/}"
            [[ -x "$dir/bin/java" ]] || continue
            major="$(java_major "$dir/bin/java")" || continue
            if (( major >= 21 && major > best_major )); then
                best="$dir" best_major="$major"
            fi
        done
    fi
    [[ -n "$best" ]] || die "no JDK 21+ found (checked \$JAVA_HOME and /usr/lib/jvm/*). Install a JDK 21 or newer (e.g. apt-get install openjdk-21-jdk, or Temurin) or set JAVA_HOME to one."

    export JAVA_HOME="$best"
    export PATH="$JAVA_HOME/bin:$PATH"
    JAVA_MAJOR="$best_major"
    info "Using JDK $JAVA_MAJOR at $JAVA_HOME"

    # JDK 24+ warns when Maven's bundled Guava uses sun.misc.Unsafe; this flag silences it.
    # Only add it if this JVM accepts it (an unknown option would make the JVM refuse to start).
    if (( JAVA_MAJOR >= 24 )) && [[ "${MAVEN_OPTS:-}" != *--sun-misc-unsafe-memory-access* ]] \
        && java --sun-misc-unsafe-memory-access=allow -version >/dev/null 2>&1; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    fi
}

# Exports the KEY=VALUE lines of $PROJECT_ROOT/.env that are not already set:
# the real environment always wins. Values are taken literally (never evaluated);
# one pair of surrounding quotes is removed.
load_dotenv() {
    local file="$PROJECT_ROOT/.env" line key value
    [[ -f "$file" ]] || return 0
    while IFS= read -r line || [[ -n "$line" ]]; do
        line="${line%$'\r'}"                                  # tolerate CRLF files
        [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=(.*)$ ]] || continue
        key="${BASH_REMATCH[2]}"
        value="${BASH_REMATCH[3]}"
        value="${value#"${value%%[![:space:]]*}"}"            # trim leading spaces
        value="${value%"${value##*[![:space:]]}"}"            # trim trailing spaces
        if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then
            value="${BASH_REMATCH[1]}"
        fi
        [[ -n "${!key+set}" ]] || export "$key=$value"
    done < "$file"
}

# True if TLS_ENABLED is set to one of the values the service reads as true.
tls_enabled() {
    case "${TLS_ENABLED:-}" in
        [Tt][Rr][Uu][Ee]|1|[Yy][Ee][Ss]|[Oo][Nn]) return 0 ;;
        *) return 1 ;;
    esac
}

# Splits an AMQP URL into BROKER_HOST, BROKER_PORT, BROKER_TLS (1 for amqps:// or TLS_ENABLED=true,
# as the service decides) and BROKER_SAFE_URL (password replaced by *****).
parse_amqp_url() {
    local url="$1" scheme rest authority path="" userinfo="" hostport user
    scheme="${url%%://*}"
    [[ "$scheme" != "$url" ]] || scheme="amqp" url="amqp://$url"
    rest="${url#*://}"
    authority="${rest%%/*}"
    [[ "$rest" == */* ]] && path="/${rest#*/}"
    if [[ "$authority" == *@* ]]; then
        userinfo="${authority%@*}"
        hostport="${authority##*@}"
    else
        hostport="$authority"
    fi
    if [[ "$hostport" =~ ^\[([^]]*)\](:([0-9]+))?$ ]]; then      # IPv6: [::1]:5672
        BROKER_HOST="${BASH_REMATCH[1]}" BROKER_PORT="${BASH_REMATCH[3]}"
    elif [[ "$hostport" == *:* ]]; then
        BROKER_HOST="${hostport%:*}" BROKER_PORT="${hostport##*:}"
    else
        BROKER_HOST="$hostport" BROKER_PORT=""
    fi
    [[ -n "$BROKER_HOST" ]] || BROKER_HOST="localhost"
    BROKER_TLS=0
    if [[ "${scheme,,}" == amqps ]] || tls_enabled; then BROKER_TLS=1; fi
    if [[ -z "$BROKER_PORT" ]]; then
        if (( BROKER_TLS )); then BROKER_PORT=5671; else BROKER_PORT=5672; fi
    fi
    if [[ -n "$userinfo" ]]; then
        user="${userinfo%%:*}"
        [[ "$userinfo" == *:* ]] && user="$user:*****"
        BROKER_SAFE_URL="$scheme://$user@$hostport$path"
    else
        BROKER_SAFE_URL="$scheme://$hostport$path"
    fi
}

# True if something at host:port replies to the AMQP 0-9-1 protocol header.
# A broker answers the 8 header bytes with a Connection.Start frame; a port that
# is closed, or open but silent, fails (the whole probe is bounded by `timeout`).
amqp_answers() {
    # shellcheck disable=SC2016  # $1/$2 are expanded by the inner bash, on purpose
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf "AMQP\x00\x00\x09\x01" >&3
        [[ $(head -c 8 <&3 | wc -c) -gt 0 ]]
    ' amqp_answers "$1" "$2" 2>/dev/null
}

# True if a TLS server at host:port completes a handshake far enough to show its certificate. The
# certificate is not checked here (the service checks it, against TLS_CA_PATH, and says why it refuses
# it); this only tells a listening TLS broker from a closed or plain port. Without openssl, an open TCP
# port is enough.
tls_answers() {
    local connect="$1:$2"
    [[ "$1" == *:* ]] && connect="[$1]:$2"                  # IPv6
    if command -v openssl >/dev/null; then
        timeout 5 openssl s_client -connect "$connect" -servername "$1" </dev/null 2>/dev/null \
            | grep -q -- '-----BEGIN CERTIFICATE-----'
    else
        # shellcheck disable=SC2016
        timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' tls_answers "$1" "$2" 2>/dev/null
    fi
}

# True if the broker of the last parse_amqp_url answers, in the protocol that URL asks for.
broker_answers() {
    if (( BROKER_TLS )); then
        tls_answers "$BROKER_HOST" "$BROKER_PORT"
    else
        amqp_answers "$BROKER_HOST" "$BROKER_PORT"
    fi
}

# Makes sure a RabbitMQ answers at RABBITMQ_URL (default: the local one on 5672).
# With several comma-separated URLs (a cluster), one that answers is enough. A broker that is
# not the local default is never started; an existing broker is never stopped or reconfigured.
ensure_broker() {
    export RABBITMQ_URL="${RABBITMQ_URL:-$DEFAULT_RABBITMQ_URL}"
    # Several URLs are nodes of one cluster: one that answers is enough, the service fails over.
    local url urls
    IFS=',' read -ra urls <<< "$RABBITMQ_URL"
    for url in "${urls[@]}"; do
        parse_amqp_url "${url//[[:space:]]/}"
        if broker_answers; then
            if (( BROKER_TLS )); then info "RabbitMQ answers over TLS at $BROKER_SAFE_URL"
            else info "RabbitMQ answers at $BROKER_SAFE_URL"; fi
            return 0
        fi
    done
    # None answers: what follows concerns the first one.
    parse_amqp_url "${urls[0]//[[:space:]]/}"

    if (( BROKER_TLS )); then
        # A local node started here would have no TLS listener: never start one for a TLS URL.
        die "no RabbitMQ answers over TLS at $BROKER_SAFE_URL (from RABBITMQ_URL; TLS because of amqps:// or TLS_ENABLED=true). Start that broker with its TLS listener, or check the host and port (5671 when none is given)."
    fi
    if [[ ! "$BROKER_HOST" =~ ^(localhost|127\.0\.0\.1)$ || "$BROKER_PORT" != 5672 ]]; then
        die "no RabbitMQ answers at $BROKER_SAFE_URL (from RABBITMQ_URL). Start that broker, or unset RABBITMQ_URL to use a local one on localhost:5672."
    fi

    # The local default is down: start a local node (installing it first if needed).
    info "No RabbitMQ answers at $BROKER_SAFE_URL; starting a local node"
    local PATH="$PATH:/usr/sbin:/usr/lib/rabbitmq/bin"   # Debian puts the server in /usr/sbin
    if ! command -v rabbitmq-server >/dev/null; then
        if [[ "$(id -u)" -ne 0 ]]; then
            die "rabbitmq-server is not installed. Install it with: sudo apt-get update && sudo apt-get install -y rabbitmq-server"
        fi
        command -v apt-get >/dev/null \
            || die "rabbitmq-server is not installed and apt-get is not available: install RabbitMQ (https://www.rabbitmq.com/docs/download) or point RABBITMQ_URL at a broker."
        info "Installing rabbitmq-server (Debian package)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    fi

    # The package install may already have started it; otherwise start it in the
    # background. No systemd here: -detached is how CI starts it too.
    if ! amqp_answers "$BROKER_HOST" "$BROKER_PORT"; then
        rabbitmq-server -detached >/dev/null 2>&1 \
            || die "could not start RabbitMQ with 'rabbitmq-server -detached' (try it as root; logs in /var/log/rabbitmq)"
    fi
    local deadline=$(( SECONDS + 60 ))
    while (( SECONDS < deadline )); do
        if amqp_answers "$BROKER_HOST" "$BROKER_PORT"; then
            info "RabbitMQ started and answers at $BROKER_SAFE_URL"
            return 0
        fi
        sleep 1
    done
    die "RabbitMQ was started but did not answer at $BROKER_SAFE_URL within 60 s; see /var/log/rabbitmq"
}

DEFAULT_REDIS_URL="redis://127.0.0.1:6379"

# Splits a redis:// URL into REDIS_HOST, REDIS_PORT (6379 when none), REDIS_SCHEME and REDIS_SAFE_URL
# (password replaced by *****).
parse_redis_url() {
    local url="$1" rest authority hostport userinfo=""
    REDIS_SCHEME="${url%%://*}"
    [[ "$REDIS_SCHEME" != "$url" ]] || REDIS_SCHEME="redis" url="redis://$url"
    rest="${url#*://}"
    authority="${rest%%/*}"
    if [[ "$authority" == *@* ]]; then
        userinfo="${authority%@*}"
        hostport="${authority##*@}"
    else
        hostport="$authority"
    fi
    if [[ "$hostport" =~ ^\[([^]]*)\](:([0-9]+))?$ ]]; then      # IPv6: [::1]:6379
        REDIS_HOST="${BASH_REMATCH[1]}" REDIS_PORT="${BASH_REMATCH[3]}"
    elif [[ "$hostport" == *:* ]]; then
        REDIS_HOST="${hostport%:*}" REDIS_PORT="${hostport##*:}"
    else
        REDIS_HOST="$hostport" REDIS_PORT=""
    fi
    [[ -n "$REDIS_HOST" ]] || REDIS_HOST="localhost"
    [[ -n "$REDIS_PORT" ]] || REDIS_PORT=6379
    if [[ "$userinfo" == *:* ]]; then
        REDIS_SAFE_URL="${url/"$userinfo"/${userinfo%%:*}:*****}"
    else
        REDIS_SAFE_URL="$url"
    fi
}

# True if a Redis answers PING at host:port (a "-NOAUTH" answer is a Redis too: it wants a password, which
# the URL gives the tests). Bounded by `timeout`.
redis_answers() {
    # shellcheck disable=SC2016  # $1/$2 are expanded by the inner bash, on purpose
    timeout 5 bash -c '
        exec 3<>"/dev/tcp/$1/$2" || exit 1
        printf "PING\r\n" >&3
        IFS= read -r -t 3 line <&3 || exit 1
        [[ "$line" == "+PONG"* || "$line" == "-NOAUTH"* ]]
    ' redis_answers "$1" "$2" 2>/dev/null
}

# Makes sure a Redis answers at REDIS_URL (default: the local one on 6379); the idempotency tests use it,
# with keys under a prefix of their own. A Redis that is not the local default is never started; an
# existing one is never stopped, flushed or reconfigured. A Redis started here keeps nothing on disk.
ensure_redis() {
    export REDIS_URL="${REDIS_URL:-$DEFAULT_REDIS_URL}"
    parse_redis_url "${REDIS_URL//[[:space:]]/}"
    if [[ "$REDIS_SCHEME" == rediss ]]; then
        # No TLS probe here: the tests themselves say whether they can connect.
        info "Redis over TLS at $REDIS_SAFE_URL: not checked here"
        return 0
    fi
    if redis_answers "$REDIS_HOST" "$REDIS_PORT"; then
        info "Redis answers at $REDIS_SAFE_URL"
        return 0
    fi
    if [[ ! "$REDIS_HOST" =~ ^(localhost|127\.0\.0\.1)$ || "$REDIS_PORT" != 6379 ]]; then
        die "no Redis answers at $REDIS_SAFE_URL (from REDIS_URL). Start that Redis, or unset REDIS_URL to use a local one on 127.0.0.1:6379."
    fi

    info "No Redis answers at $REDIS_SAFE_URL; starting a local one"
    if ! command -v redis-server >/dev/null; then
        if [[ "$(id -u)" -ne 0 ]]; then
            die "redis-server is not installed. Install it with: sudo apt-get update && sudo apt-get install -y redis-server"
        fi
        command -v apt-get >/dev/null \
            || die "redis-server is not installed and apt-get is not available: install Redis (https://redis.io/docs/latest/operate/oss_and_stack/install/) or point REDIS_URL at one."
        info "Installing redis-server (Debian package)"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -qq redis-server >/dev/null 2>&1; then
            apt-get update -qq && apt-get install -y -qq redis-server >/dev/null \
                || die "could not install the redis-server package; try: apt-get update && apt-get install -y redis-server"
        fi
    fi
    # The package install may have started one already.
    if ! redis_answers "$REDIS_HOST" "$REDIS_PORT"; then
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
            --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/queue-service-redis.log" >/dev/null \
            || die "could not start redis-server (see ${TMPDIR:-/tmp}/queue-service-redis.log)"
    fi
    local deadline=$(( SECONDS + 20 ))
    while (( SECONDS < deadline )); do
        if redis_answers "$REDIS_HOST" "$REDIS_PORT"; then
            info "Redis started and answers at $REDIS_SAFE_URL"
            return 0
        fi
        sleep 0.5
    done
    die "redis-server was started but did not answer at $REDIS_SAFE_URL within 20 s; see ${TMPDIR:-/tmp}/queue-service-redis.log"
}

# Makes sure `promtool` (Prometheus's rule and config checker) is on PATH: the tests check the alert
# rules with it (MonitoringPromtoolIT). As root with apt-get, installs Debian's `prometheus` package,
# which provides /usr/bin/promtool (without the recommended exporters). The package's install script
# may start a Prometheus server (where policy-rc.d allows it): any that the install started is stopped
# again, by its process id; one that ran before is left alone.
ensure_promtool() {
    if command -v promtool >/dev/null; then
        return 0
    fi
    local install_cmd="apt-get update && apt-get install -y --no-install-recommends prometheus"
    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null; then
        die "promtool is not installed; the tests need it to check the alert rules. Install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus (Debian/Ubuntu), or put the promtool of a Prometheus release (https://prometheus.io/download/) on PATH."
    fi

    info "Installing promtool (Debian package prometheus)"
    local before pid
    # pgrep fails when nothing matches: that must not end the script (set -e, pipefail).
    before=" $(pgrep -x prometheus | tr '\n' ' ' || true) "
    export DEBIAN_FRONTEND=noninteractive
    # The package lists may be missing or stale: update them only when the install fails without.
    if ! apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1; then
        if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }; then
            die "could not install the prometheus package (for promtool); try: $install_cmd"
        fi
    fi
    for pid in $(pgrep -x prometheus || true); do
        if [[ "$before" != *" $pid "* ]]; then
            info "Stopping the Prometheus server the package started (pid $pid)"
            kill "$pid" 2>/dev/null || true
        fi
    done
    command -v promtool >/dev/null || die "the prometheus package is installed but promtool is not on PATH"
    info "promtool installed: $(promtool --version 2>&1 | head -n 1)"
}
