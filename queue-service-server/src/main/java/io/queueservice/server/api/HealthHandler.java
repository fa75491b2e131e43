package io.queueservice.server.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.server.Health;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Optional;

/** {@code /healthz} (is the process alive), {@code /healthz/ready} (should it get traffic) and {@code /metrics}. */
final class HealthHandler {
    record Liveness(String status, String timestamp, String rabbitmq, String version) {}

    record Readiness(String status, String reason) {}

    private final Health health;
    private final PrometheusMeterRegistry registry;

    HealthHandler(Health health, PrometheusMeterRegistry registry) {
        this.health = health;
        this.registry = registry;
    }

    /** Always 200 while the process runs, even without the broker: restarting would not bring it back. */
    void live(RoutingContext ctx) {
        Json.write(ctx, 200, new Liveness("ok", Instant.now().toString(), health.rabbitmq(), health.version()));
    }

    /**
     * 200 when the broker connections are up and not blocked, else 503 with the reason; 200 {@code degraded}
     * with the reason while something only some requests need is unavailable (the idempotency store).
     */
    void ready(RoutingContext ctx) {
        Optional<String> notReady = health.notReadyReason();
        if (notReady.isPresent()) {
            Json.write(ctx, 503, new Readiness("not ready", notReady.get()));
            return;
        }
        Json.write(
                ctx,
                200,
                health.degradedReason()
                        .map(why -> new Readiness("degraded", why))
                        .orElse(new Readiness("ready", null)));
    }

    void metrics(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape());
    }
}
