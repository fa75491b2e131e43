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
