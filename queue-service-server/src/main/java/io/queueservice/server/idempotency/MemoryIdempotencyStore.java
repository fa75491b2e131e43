package io.queueservice.server.idempotency;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Keys in this process's memory: for a single instance. Bounded by a number of keys and a number of bytes;
 * past either, the oldest key (the least recently written) goes first, counted in {@code
 * queue_idempotency_evictions_total}: a retry of its request after that is processed again.
 *
 * <p>A map in write order rather than a Caffeine cache: Caffeine's size bound is frequency-based (W-TinyLFU),
 * which may turn away a new key to keep older ones, while here the newest keys are the ones retries need.
 * One lock around a few map operations per request costs little next to a publish.
 */
public final class MemoryIdempotencyStore implements IdempotencyStore {
    private record Entry(Stored value, long expiresAtNanos, long weight) {}

    private final int maxKeys;
    private final long maxBytes;
    private final LongSupplier nanoTime;
    private final Counter evictions;

    /** In write order: the first is the oldest. Guarded by {@code this}. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    private long bytes;

    /**
     * @param nanoTime the clock ({@link System#nanoTime} but in tests)
     */
    MemoryIdempotencyStore(int maxKeys, long maxBytes, MeterRegistry registry, LongSupplier nanoTime) {
        this.maxKeys = maxKeys;
        this.maxBytes = maxBytes;
        this.nanoTime = nanoTime;
        this.evictions = Counter.builder("queue.idempotency.evictions")
                .description("Idempotency keys forgotten before their time because the memory store was full")
                .register(registry);
        Gauge.builder("queue.idempotency.keys", this, MemoryIdempotencyStore::size)
                .description("Idempotency keys held in memory")
                .register(registry);
    }

    public MemoryIdempotencyStore(int maxKeys, long maxBytes, MeterRegistry registry) {
        this(maxKeys, maxBytes, registry, System::nanoTime);
    }

    @Override
    public synchronized CompletableFuture<Optional<Stored>> begin(
            String key, Stored.InFlight marker, Duration inFlightTimeout) {
        long now = nanoTime.getAsLong();
        Entry e = entries.get(key);
        if (e != null && !expired(e, now)) {
            return CompletableFuture.completedFuture(Optional.of(e.value()));
        }
        put(key, marker, inFlightTimeout, 128, now);
        return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public synchronized CompletableFuture<Void> complete(
            String key, Stored.InFlight marker, Stored.Done answer, Duration ttl) {
        Entry e = entries.get(key);
        if (e != null && e.value().equals(marker)) {
            if (answer == null) {
                remove(key);
            } else {
                put(key, answer, ttl, answer.answer().weight() + 128, nanoTime.getAsLong());
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Stores at the end (the newest), then drops expired entries from the front and the oldest past a bound. */
    private void put(String key, Stored value, Duration ttl, long weight, long now) {
        remove(key);
        entries.put(key, new Entry(value, now + ttl.toNanos(), weight));
        bytes += weight;
        Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
        while (oldest.hasNext()) {
            Entry first = oldest.next().getValue();
            boolean dead = expired(first, now);
            if (!dead && entries.size() <= maxKeys && bytes <= maxBytes) {
                break;
            }
            if (!dead) {
                evictions.increment();
            }
            bytes -= first.weight();
            oldest.remove();
        }
    }

    private void remove(String key) {
        Entry old = entries.remove(key);
        if (old != null) {
            bytes -= old.weight();
        }
    }

    private static boolean expired(Entry e, long now) {
        return now - e.expiresAtNanos() >= 0;
    }

    synchronized int size() {
        return entries.size();
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "memory (at most " + maxKeys + " keys and " + maxBytes + " bytes)";
    }

    @Override
    public void close() {}
}
