package io.queueservice.server.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-caller quotas: a token bucket (Bucket4j) per caller, {@code burst} requests at once, refilled at
 * {@code perSecond}. The buckets live in a bounded map (Caffeine): at most {@value #MAX_CALLERS} callers,
 * each forgotten once idle for as long as its bucket takes to fill up again, when forgetting it changes
 * nothing. So a flood of distinct callers cannot grow memory without bound.
 */
final class Quotas {
    static final int MAX_CALLERS = 100_000;

    private final SecurityConfig.Quota quota;
    private final TimeMeter time;
    private final Cache<String, Bucket> buckets;

    Quotas(SecurityConfig.Quota quota, TimeMeter time) {
        this.quota = quota;
        this.time = time;
        long refillSeconds = (quota.burst() + Math.max(1, quota.perSecond()) - 1) / Math.max(1, quota.perSecond());
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_CALLERS)
                .expireAfterAccess(Duration.ofSeconds(refillSeconds + 1))
                .build();
    }

    Quotas(SecurityConfig.Quota quota) {
        this(quota, TimeMeter.SYSTEM_NANOTIME);
    }

    /** Takes one request from the caller's quota: empty when allowed, else how long until one would be. */
    Optional<Duration> tryAcquire(String caller) {
        ConsumptionProbe probe = buckets.get(caller, k -> newBucket()).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(quota.burst())
                        .refillGreedy(quota.perSecond(), Duration.ofSeconds(1))
                        .build())
                .withCustomTimePrecision(time)
                .build();
    }

    /** Callers currently tracked (for tests). */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}
