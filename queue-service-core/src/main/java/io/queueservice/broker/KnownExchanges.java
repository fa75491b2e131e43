package io.queueservice.broker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exchanges a message was recently published to without the broker closing the channel: they exist,
 * are not internal, and this user may write to them. Publishers send to these on shared channels;
 * anything else goes alone first (see the publisher). Entries are trusted for a while, then proven again,
 * and forgotten at once when the exchange is deleted through this service or a publish to it fails.
 */
public final class KnownExchanges {
    private static final long TRUST_NANOS = Duration.ofSeconds(30).toNanos();
    private static final int LIMIT = 10_000;

    private final Map<String, Long> provenAt = new ConcurrentHashMap<>();

    public boolean isProven(String exchange) {
        Long at = provenAt.get(exchange);
        return at != null && System.nanoTime() - at < TRUST_NANOS;
    }

    public void proven(String exchange) {
        if (provenAt.size() >= LIMIT) {
            provenAt.clear(); // rather than grow without bound; they are proven again on next use
        }
        provenAt.put(exchange, System.nanoTime());
    }

    public void forget(String exchange) {
        provenAt.remove(exchange);
    }
}
