#!/usr/bin/env bash
# Runs the whole test suite (unit + integration) against a live RabbitMQ and Redis.
# Extra arguments go to Maven, e.g. ./scripts/test.sh -pl queue-service-core
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source scripts/lib.sh

find_java
load_dotenv
ensure_broker
ensure_redis        # the idempotency tests keep their keys there, under a prefix of their own
ensure_promtool     # MonitoringPromtoolIT checks the alert rules with it

# The pom hands rabbitmq.url and redis.url to the integration tests as RABBITMQ_URL and REDIS_URL.
status=0
mvn -B -Dstyle.color=never verify -Drabbitmq.url="$RABBITMQ_URL" -Dredis.url="$REDIS_URL" "$@" || status=$?

shopt -s nullglob
reports=(./*/target/site/jacoco*/index.html)
if (( ${#reports[@]} > 0 )); then
    info "JaCoCo coverage reports:"
    printf '    %s\n' "${reports[@]#./}" >&2
else
    info "No JaCoCo report was generated"
fi
exit "$status"
