package io.queueservice.server.api;

import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.server.Health;
import java.time.Instant;

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
    void live(Context ctx) {
        ctx.json(new Liveness("ok", Instant.now().toString(), health.rabbitmq(), health.version()));
    }

    /** 200 when the broker connections are up and not blocked, else 503 with the reason. */
    void ready(Context ctx) {
        health.notReadyReason()
                .ifPresentOrElse(
                        reason -> ctx.status(503).json(new Readiness("not ready", reason)),
                        () -> ctx.json(new Readiness("ready", null)));
    }

    void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }
}
