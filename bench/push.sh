#!/usr/bin/env bash
# Push subscriptions' drain rate, compared in one run with the worker toolkit's:
#   1. a backlog of N messages of 1 KiB, drained by a toolkit worker whose handler does nothing;
#   2. the same backlog, drained by a push subscription POSTing to a local receiver (Node, 204, keep-alive).
# After a warm-up drain of 10,000 messages each way (not counted), so that the JIT compiled both paths.
# Both with the same consumers and prefetch. Prints each rate and the ratio push/worker (target >= 0.5).
# A benchmark, run on purpose: no test asserts a timing. Figures swing between runs on a shared machine:
# quote the median of the rounds.
#
# Usage: bench/push.sh [-n messages] [-r rounds] [-c concurrency] [-p prefetch]
# Needs: a RabbitMQ at RABBITMQ_URL (default amqp://guest:guest@127.0.0.1:5672), node, a JDK 21+, Maven.
set -euo pipefail
cd "$(dirname "$0")/.."

messages=50000 rounds=2 concurrency=8 prefetch=50
while getopts "n:r:c:p:" opt; do
    case $opt in
        n) messages=$OPTARG ;;
        r) rounds=$OPTARG ;;
        c) concurrency=$OPTARG ;;
        p) prefetch=$OPTARG ;;
        *) sed -n '2,10p' "$0"; exit 2 ;;
    esac
done

# shellcheck source=../scripts/lib.sh
source scripts/lib.sh
find_java
command -v node >/dev/null || die "node is needed for the receiver (apt-get install nodejs)"
classpath=$(mktemp)
receiver_pid=""
cleanup() {
    [[ -n "$receiver_pid" ]] && kill "$receiver_pid" 2>/dev/null || true
    rm -f "$classpath"
}
trap cleanup EXIT

echo "building (test classes and their classpath)..."
mvn -q -B -pl queue-service-core,queue-service-server test-compile dependency:build-classpath \
    -Dmdep.outputFile="$classpath" -Dmdep.includeScope=test -Djacoco.skip=true >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$port node bench/push-receiver.js &
receiver_pid=$!
for _ in $(seq 50); do
    (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
    sleep 0.1
done

"$JAVA_HOME/bin/java" -Xmx256m ${BENCH_JAVA_OPTS:-} \
    -cp "queue-service-server/target/test-classes:queue-service-server/target/classes:$(cat "$classpath")" \
    io.queueservice.server.push.PushBench \
    "${RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672}" "http://127.0.0.1:$port/bench" \
    "$messages" "$rounds" "$concurrency" "$prefetch"

# The receiver's own CPU (it only serves the push rounds), from /proc: utime + stime, in clock ticks.
ticks=$(awk '{print $14 + $15}' "/proc/$receiver_pid/stat")
awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n=$((messages * rounds)) \
    'BEGIN { printf "receiver (node): %.0f us CPU/msg\n", t / hz * 1e6 / n }'
