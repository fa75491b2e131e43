package io.queueservice.config;

import java.time.Duration;

/**
 * When a worker's circuit breaker opens: once at least {@code minimumCalls} of the last {@code
 * windowSize} messages were handled, and {@code failureRatePercent} of them failed. It then stays open
 * for {@code openWait} before letting a few messages through to probe the downstream.
 */
public record BreakerConfig(int failureRatePercent, int minimumCalls, int windowSize, Duration openWait) {

    /** Reads {@code CIRCUIT_BREAKER_FAILURE_RATE}, {@code _MIN_CALLS}, {@code _WINDOW}, {@code _OPEN_WAIT} (ms). */
    public static BreakerConfig from(ConfigReader env) {
        int rate = env.integer("CIRCUIT_BREAKER_FAILURE_RATE", 50, 1, 100);
        int min = env.integer("CIRCUIT_BREAKER_MIN_CALLS", 10, 1, 10_000);
        int window = env.integer("CIRCUIT_BREAKER_WINDOW", 20, 1, 10_000);
        long wait = env.longValue("CIRCUIT_BREAKER_OPEN_WAIT", 30_000, 10, 3_600_000);
        if (min > window && !env.hasProblem("CIRCUIT_BREAKER_MIN_CALLS") && !env.hasProblem("CIRCUIT_BREAKER_WINDOW")) {
            env.problem(
                    "CIRCUIT_BREAKER_MIN_CALLS",
                    "(" + min + ") must not be greater than CIRCUIT_BREAKER_WINDOW (" + window + ")");
        }
        return new BreakerConfig(rate, min, window, Duration.ofMillis(wait));
    }
}
