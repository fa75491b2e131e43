#!/usr/bin/env bash
# First-time setup: checks the prerequisites, creates .env from .env.example (when missing), makes sure
# a RabbitMQ runs (the Compose one where a Docker engine works, a local node otherwise) and builds the jar.
# Safe to run again: it keeps an existing .env and never stops or reconfigures a running broker.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=lib.sh
source scripts/lib.sh

# --- Prerequisites -------------------------------------------------------------------------------
find_java                                   # a JDK 21+, or stops with how to install one
command -v mvn >/dev/null \
    || die "Maven is not installed. Install it with: sudo apt-get install -y maven (3.8 or newer)"
mvn_version="$(mvn -B -Dstyle.color=never -v 2>/dev/null | sed -n 's/.*Apache Maven \([0-9][0-9.]*\).*/\1/p' | head -n 1)"
IFS=. read -r mvn_major mvn_minor _ <<< "${mvn_version:-0.0}"
(( mvn_major > 3 || (mvn_major == 3 && mvn_minor >= 8) )) \
    || die "Maven ${mvn_version:-?} is too old: queue-service needs 3.8 or newer"
info "Using Maven $mvn_version"
command -v curl >/dev/null || info "curl is not installed: the documentation's examples and scripts/test-publish.sh need it"

# Compose is used only when the Docker CLI, its compose plugin and a running engine are all there.
use_compose=false
if ! command -v docker >/dev/null; then
    info "Docker is not installed: a local RabbitMQ node will be used"
elif ! docker info >/dev/null 2>&1; then
    info "Docker is installed but its engine does not answer: a local RabbitMQ node will be used"
elif ! docker compose version >/dev/null 2>&1; then
    info "Docker Compose (the 'docker compose' plugin) is missing: a local RabbitMQ node will be used"
else
    use_compose=true
    info "Using $(docker compose version | head -n 1)"
fi

# --- .env ----------------------------------------------------------------------------------------
created_env=false
if [[ -f .env ]]; then
    info ".env exists: kept as it is"
else
    cp .env.example .env
    created_env=true
    info "Created .env from .env.example (edit it to change the settings)"
fi

# --- RabbitMQ ------------------------------------------------------------------------------------
load_dotenv
if $use_compose && ! amqp_answers localhost 5672; then
    info "Starting RabbitMQ with Docker Compose (service rabbitmq)"
    docker compose up -d --wait rabbitmq
    # The Compose broker has no guest user: the API logs in as the dev gateway user of
    # docker/rabbitmq/definitions.json (an example password, for this local broker only).
    if $created_env; then
        sed -i 's|^RABBITMQ_URL=.*|RABBITMQ_URL=amqp://gateway-dev:gateway-dev-example-password@localhost:5672/dev|' .env
        info "Set RABBITMQ_URL in .env to the Compose broker's dev vhost (user gateway-dev)"
    fi
    info "The email worker has its own user: RABBITMQ_URL=amqp://email-worker-dev:email-worker-dev-example-password@localhost:5672/dev ./scripts/start.sh worker email"
else
    ensure_broker                          # uses a broker that answers; starts a local node otherwise
fi

# --- Build (the command scripts/start.sh and the Dockerfile use) ----------------------------------
info "Building queue-service-server/target/queue-service.jar"
mvn -q -B -Dstyle.color=never -DskipTests package

info "Setup done. Next: ./scripts/start.sh (the API on port ${PORT:-3000}), then ./scripts/test-publish.sh in another terminal"
