#!/usr/bin/env bash
# What a message schema adds to the CPU cost of a publish: the publish path before the broker (reading the
# request, building the message, the access check, the schema check) for a 1 KiB sign-up message, without a
# schema and with the confirmation email's (docs/schemas/confirmation-email.schema.json), on one thread, in
# CPU time; rounds alternate, after a warm-up. Prints each round and the medians. No broker needed.
# A benchmark, run on purpose: no test asserts a timing.
#
# Usage: bench/schemas.sh [-n publishes per round] [-r rounds]
# Needs: a JDK 21+, Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

operations=200000 rounds=5
while getopts "n:r:" opt; do
    case $opt in
        n) operations=$OPTARG ;;
        r) rounds=$OPTARG ;;
        *) sed -n '2,9p' "$0"; exit 2 ;;
    esac
done

# shellcheck source=../scripts/lib.sh
source scripts/lib.sh
find_java
classpath=$(mktemp)
trap 'rm -f "$classpath"' EXIT

echo "building (test classes and their classpath)..."
mvn -q -B -pl queue-service-core,queue-service-server test-compile dependency:build-classpath \
    -Dmdep.outputFile="$classpath" -Dmdep.includeScope=test -Djacoco.skip=true >/dev/null

"$JAVA_HOME/bin/java" -Xmx256m ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile=/dev/null \
    -cp "queue-service-server/target/test-classes:queue-service-server/target/classes:$(cat "$classpath")" \
    io.queueservice.server.api.SchemaBench "$operations" "$rounds" docs/schemas/confirmation-email.schema.json
