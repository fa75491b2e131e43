package io.queueservice.config;

import java.time.Duration;

/**
 * How the gateway talks to the broker on behalf of a request.
 *
 * @param requestTimeout longest a request waits on the broker (a publish confirm, a topology operation)
 * @param channels publishing channels, over which messages in flight are spread
 * @param maxInFlight messages published but not yet confirmed, at most; past it publishes fail fast
 */
public record PublishConfig(Duration requestTimeout, int channels, int maxInFlight) {

    /** Reads {@code REQUEST_TIMEOUT} (ms), {@code PUBLISH_CHANNELS} and {@code PUBLISH_MAX_IN_FLIGHT}. */
    public static PublishConfig from(ConfigReader env) {
        long timeout = env.longValue("REQUEST_TIMEOUT", 5000, 100, 600_000);
        int channels = env.integer("PUBLISH_CHANNELS", 2, 1, 64);
        int maxInFlight = env.integer("PUBLISH_MAX_IN_FLIGHT", 10_000, 1, 1_000_000);
        return new PublishConfig(Duration.ofMillis(timeout), channels, maxInFlight);
    }
}
