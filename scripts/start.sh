#!/usr/bin/env bash
# Runs queue-service in the foreground (building it first if needed).
# Extra arguments go to the jar: api (default), worker email, all, consume <queue>, or
# render-email <message.json> (see docs/getting-started.md and docs/email-worker.md).
set -euo pipefail
args=("$@")
# render-email reads a file named from where the script was called: make its path absolute before cd.
if [[ "${1:-}" == "render-email" && -n "${args[1]:-}" && "${args[1]}" != "-" && "${args[1]}" != /* ]]; then
    args[1]="$PWD/${args[1]}"
fi
set -- "${args[@]}"
# Likewise a relative EMAIL_TEMPLATES_DIR from the environment (one from .env is relative to the project).
if [[ -n "${EMAIL_TEMPLATES_DIR:-}" && "$EMAIL_TEMPLATES_DIR" != /* ]]; then
    export EMAIL_TEMPLATES_DIR="$PWD/$EMAIL_TEMPLATES_DIR"
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source scripts/lib.sh

find_java
load_dotenv
# render-email renders and prints without sending: it needs no broker.
if [[ "${1:-}" != "render-email" ]]; then
    ensure_broker
fi

# The service requires tokens by default (AUTH_MODE=jwt). This local quick start runs without them when
# nothing about authentication is configured, and says so; set AUTH_MODE (or a JWT_* key) to change that.
if [[ "${1:-}" != "render-email" && -z "${AUTH_MODE:-}" \
    && -z "${JWT_SECRET:-}${JWT_PUBLIC_KEY_PATH:-}${JWT_JWKS_URL:-}" ]]; then
    export AUTH_MODE=none
    info "AUTH_MODE is not set: running with AUTH_MODE=none (no authentication, for local use)." \
        "Set AUTH_MODE=jwt and JWT_SECRET (or JWT_PUBLIC_KEY_PATH, JWT_JWKS_URL) to require tokens."
fi

JAR=queue-service-server/target/queue-service.jar

# Rebuild when the jar is missing or any source file or pom is newer than it.
if [[ ! -f "$JAR" ]] || [[ -n "$(find pom.xml ./*/pom.xml ./*/src -newer "$JAR" -print -quit)" ]]; then
    info "Building $JAR"
    mvn -q -B -Dstyle.color=never -DskipTests package
fi

# Defaults keep the service under 200 MiB RSS under load (docs/performance.md#memory); set JAVA_OPTS to
# override them all.
JAVA_OPTS="${JAVA_OPTS:--Xmx64m -XX:MaxMetaspaceSize=96m -Xss512k -XX:+UseSerialGC -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError}"
read -r -a java_opts <<< "$JAVA_OPTS"

if [[ "${1:-}" == "render-email" ]]; then
    info "Rendering, not sending: java $JAVA_OPTS -jar $JAR $*"
else
    info "Running queue-service on port ${PORT:-3000}: java $JAVA_OPTS -jar $JAR $*"
fi
exec java "${java_opts[@]}" -jar "$JAR" "$@"
