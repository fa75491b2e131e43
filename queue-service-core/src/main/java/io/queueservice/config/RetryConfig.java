package io.queueservice.config;

import java.time.Duration;

/**
 * Retry policy of workers: at most {@code maxRetries} retries, delays growing exponentially from
 * {@code initialDelay} to {@code maxDelay}.
 */
public record RetryConfig(int maxRetries, Duration initialDelay, Duration maxDelay) {

    /** Reads {@code MAX_RETRIES}, {@code INITIAL_RETRY_DELAY} and {@code MAX_RETRY_DELAY} (milliseconds). */
    public static RetryConfig from(ConfigReader env) {
        int maxRetries = env.integer("MAX_RETRIES", 5, 0, 100);
        long initial = env.longValue("INITIAL_RETRY_DELAY", 1000, 1, 86_400_000);
        long max = env.longValue("MAX_RETRY_DELAY", 60_000, 1, 86_400_000);
        if (initial > max && !env.hasProblem("INITIAL_RETRY_DELAY") && !env.hasProblem("MAX_RETRY_DELAY")) {
            env.problem(
                    "INITIAL_RETRY_DELAY", "(" + initial + ") must not be greater than MAX_RETRY_DELAY (" + max + ")");
        }
        return new RetryConfig(maxRetries, Duration.ofMillis(initial), Duration.ofMillis(max));
    }
}
