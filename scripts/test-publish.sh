#!/usr/bin/env bash
# Tries a running queue-service end to end: creates a test exchange and queue, binds them, publishes
# test messages through the API and prints what it did. The messages stay in the queue: look at them
# with `./scripts/start.sh consume <queue>` (which empties it), or delete the queue afterwards.
#
# Settings (environment):
#   QUEUE_SERVICE_URL   the API (default http://localhost:3000)
#   QUEUE_SERVICE_TOKEN a bearer token sent as Authorization, when the API requires one
#   TEST_QUEUE          the queue (default test_queue); TEST_EXCHANGE the direct exchange (default test_exchange)
#   MESSAGE_COUNT       how many messages (default 20)
set -euo pipefail

url="${QUEUE_SERVICE_URL:-http://localhost:3000}"
queue="${TEST_QUEUE:-test_queue}"
exchange="${TEST_EXCHANGE:-test_exchange}"
count="${MESSAGE_COUNT:-20}"
[[ "$count" =~ ^[0-9]+$ ]] || { echo "error: MESSAGE_COUNT must be a number, not '$count'" >&2; exit 1; }
command -v curl >/dev/null || { echo "error: curl is needed" >&2; exit 1; }

auth=()
[[ -z "${QUEUE_SERVICE_TOKEN:-}" ]] || auth=(-H "Authorization: Bearer $QUEUE_SERVICE_TOKEN")

# POSTs a JSON body; prints the answer, and stops the script unless it is a 2xx.
post() {
    local path="$1" body="$2" out status
    out="$(curl -sS -w '\n%{http_code}' -X POST "$url$path" -H 'Content-Type: application/json' \
        "${auth[@]}" -d "$body")" || { echo "error: cannot reach $url" >&2; exit 1; }
    status="${out##*$'\n'}"
    out="${out%$'\n'*}"
    if [[ "$status" != 2* ]]; then
        echo "error: POST $path answered $status: $out" >&2
        exit 1
    fi
    printf '%s' "$out"
}

# Names are written into JSON as they are: keep them to letters, digits and . _ -
for name in "$queue" "$exchange"; do
    [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "error: use letters, digits, '.', '_' or '-' in '$name'" >&2; exit 1; }
done

echo "queue-service at $url"
# Each answer goes to a variable first: a failing post then stops the script (set -e), which it would
# not inside the arguments of echo.
answer="$(post /api/v1/exchanges "{\"name\":\"$exchange\",\"type\":\"direct\"}")"
echo "exchange '$exchange' (direct): $answer"
answer="$(post /api/v1/queues "{\"name\":\"$queue\"}")"
echo "queue '$queue': $answer"
answer="$(post /api/v1/bindings "{\"queue\":\"$queue\",\"exchange\":\"$exchange\",\"routingKey\":\"$queue\"}")"
echo "binding '$exchange' -> '$queue' (routing key '$queue'): $answer"

for ((i = 1; i <= count; i++)); do
    post /api/v1/publish "{\"exchange\":\"$exchange\",\"routingKey\":\"$queue\",\"message\":{\"test\":true,\"number\":$i,\"of\":$count,\"sentAt\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}}" >/dev/null
done
echo "published $count messages to '$exchange' with routing key '$queue', each confirmed by RabbitMQ"
echo "the queue now: $(curl -sS "${auth[@]}" "$url/api/v1/queues/$queue")"
