#!/usr/bin/env bash
# Runs queue-service in the foreground (building it first if needed).
# Extra arguments go to the jar: api (default), worker email, all, or consume <queue> (see the README).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source scripts/lib.sh

find_java
load_dotenv
ensure_broker

# The service requires tokens by default (AUTH_MODE=jwt). This local quick start runs without them when
# nothing about authentication is configured, and says so; set AUTH_MODE (or a JWT_* key) to change that.
if [[ -z "${AUTH_MODE:-}" && -z "${JWT_SECRET:-}${JWT_PUBLIC_KEY_PATH:-}${JWT_JWKS_URL:-}" ]]; then
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

# Defaults keep the service under 256 MiB RSS; set JAVA_OPTS to override them all.
JAVA_OPTS="${JAVA_OPTS:--Xmx128m -XX:MaxMetaspaceSize=96m -Xss512k -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}"
read -r -a java_opts <<< "$JAVA_OPTS"

info "Running queue-service on port ${PORT:-3000}: java $JAVA_OPTS -jar $JAR $*"
exec java "${java_opts[@]}" -jar "$JAR" "$@"
