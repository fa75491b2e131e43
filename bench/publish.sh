#!/usr/bin/env bash
# Publish throughput of a running queue-service, beside RabbitMQ PerfTest publishing straight over AMQP to
# the same broker, in one run. Every publish: a persistent 1 KiB JSON message, with publisher confirms.
#
# Usage: bench/publish.sh [-u SERVICE_URL] [-a AMQP_URL] [-d SECONDS] [-r ROUNDS] [-c CONNECTIONS]
#   Start the service first (./scripts/start.sh). With AUTH_MODE=jwt, export BENCH_TOKEN (a token with the
#   scopes publish and topology:write). Needs wrk (installed with apt-get when missing and root) and a
#   JDK 21+ with Maven (PerfTest is fetched from Maven Central once, into bench/.cache).
#
# Each round: the service under wrk (5 s warm-up, then SECONDS measured; CPU per publish is the CPU time
# the service's process spent, all threads, divided by the requests answered), then PerfTest for as long.
# A PerfTest consumer drains the service's queue bench_q meanwhile. Prints each run, the medians, the
# ratio service/perftest and the service's peak RSS (VmHWM). Numbers swing between runs on a shared
# machine: compare ratios from one run, over three rounds or more.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
URL=http://127.0.0.1:3000; AMQP=amqp://guest:guest@127.0.0.1:5672; DUR=15; ROUNDS=3; CONNS=64; WARM=5
while getopts "u:a:d:r:c:" o; do case $o in
  u) URL=$OPTARG;; a) AMQP=$OPTARG;; d) DUR=$OPTARG;; r) ROUNDS=$OPTARG;; c) CONNS=$OPTARG;;
  *) sed -n 2,9p "$0"; exit 2;; esac; done

# shellcheck source=../scripts/lib.sh
source "$HERE/../scripts/lib.sh"
find_java
command -v wrk >/dev/null || { (( EUID == 0 )) && apt-get install -y -qq wrk >/dev/null 2>&1; } \
    || die "wrk is needed: apt-get install wrk"
CACHE="$HERE/.cache"
mkdir -p "$CACHE"
[[ -d "$CACHE/lib" ]] || mvn -q -B -Dstyle.color=never -f "$HERE/perftest/pom.xml" \
    dependency:copy-dependencies -DoutputDirectory="$CACHE/lib" -DincludeScope=runtime

port=${URL##*:}; port=${port%%/*}
SVC_PID=$(ss -ltnpH "sport = :$port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
[[ -n "$SVC_PID" ]] || die "no process listens at $URL: start the service first (./scripts/start.sh)"
AUTH=(); [[ -n "${BENCH_TOKEN:-}" ]] && AUTH=(-H "Authorization: Bearer $BENCH_TOKEN")
curl -sf -o /dev/null "${AUTH[@]}" -H 'content-type: application/json' -d '{"name":"bench_q"}' "$URL/api/v1/queues" \
    || die "the service did not declare the queue bench_q (with AUTH_MODE=jwt, export BENCH_TOKEN)"

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
perftest() { java -cp "$CACHE/lib/*" com.rabbitmq.perf.PerfTest -h "$AMQP" "$@"; }
# Drains bench_q for the whole run: manual acks, 500 unacknowledged at most.
perftest -x 0 -y 1 -u bench_q -p -q 500 >/dev/null 2>&1 & PIDS+=($!)

OUT=$(mktemp -d)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
service_run() { # round -> "msg/s p50 p99 non2xx cpu_us"
    local log="$OUT/service.$1.log" t0 t1
    BENCH_TOKEN=${BENCH_TOKEN:-} wrk -t2 -c"$CONNS" -d"${WARM}s" -s "$HERE/publish.lua" "$URL/api/v1/publish" >/dev/null 2>&1
    t0=$(cpu_ticks "$SVC_PID")
    BENCH_TOKEN=${BENCH_TOKEN:-} wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$HERE/publish.lua" "$URL/api/v1/publish" >"$log" 2>&1
    t1=$(cpu_ticks "$SVC_PID")
    awk -v dt=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{e=$NF}
      / requests in /{n=$1; t=$4; sub(/s,?$/, "", t)} END{e=(e==""?0:e); printf "%.0f %s %s %s %.1f\n", (t>0 ? (n-e)/t : 0), p50, p99, e, (n>0 ? dt*1e6/hz/n : 0)}' "$log"
}
perftest_run() { # round -> msg/s
    perftest -x 1 -y 1 -u bench_perftest -ad false -s 1024 -f persistent -c 500 -q 500 -z $((DUR + WARM)) \
        >"$OUT/perftest.$1.log" 2>&1 || true
    awk '/sending rate avg/{for(i=1;i<=NF;i++) if($i=="avg:") print $(i+1)}' "$OUT/perftest.$1.log" | head -1
}
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

printf '%-9s %5s %9s %9s %9s %7s %11s\n' run round 'msg/s' p50 p99 non2xx 'cpu_us/msg'
S=(); C=(); P=()
for r in $(seq "$ROUNDS"); do
    read -r a b c d e < <(service_run "$r"); S+=("$a"); C+=("$e")
    printf '%-9s %5s %9s %9s %9s %7s %11s\n' service "$r" "$a" "$b" "$c" "$d" "$e"
    a=$(perftest_run "$r"); P+=("${a:-0}")
    printf '%-9s %5s %9s\n' perftest "$r" "${a:-0}"
done
ms=$(median "${S[@]}"); mc=$(median "${C[@]}"); mp=$(median "${P[@]}")
hwm=$(awk '/VmHWM/{printf "%.0f", $2/1024}' "/proc/$SVC_PID/status")
echo "median msg/s: service=$ms perftest=$mp; service CPU per publish ${mc} us; service peak RSS ${hwm} MiB"
awk -v s="$ms" -v p="$mp" 'BEGIN{printf "ratio service/perftest=%.2f\n", (p>0?s/p:0)}'
