package io.queueservice.server.idempotency;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where idempotency keys live: {@link MemoryIdempotencyStore} (one instance) or {@link RedisIdempotencyStore}
 * (shared by every instance). Operations are asynchronous, so that no thread waits on the store; each is
 * atomic in the store.
 */
public interface IdempotencyStore extends AutoCloseable {

    /**
     * When nothing is stored under {@code key}, stores {@code marker} for {@code inFlightTimeout} and completes
     * with empty; otherwise completes with what is stored and changes nothing.
     *
     * @return failed when the store cannot answer
     */
    CompletableFuture<Optional<Stored>> begin(String key, Stored.InFlight marker, Duration inFlightTimeout);

    /**
     * When {@code key} still holds {@code marker}: replaces it by {@code answer}, kept for {@code ttl}, or
     * removes it when {@code answer} is null. When it holds anything else (the marker expired and another
     * request took the key), changes nothing.
     *
     * @return failed when the store cannot answer
     */
    CompletableFuture<Void> complete(String key, Stored.InFlight marker, Stored.Done answer, Duration ttl);

    /** Why the store cannot be used now (for readiness), or empty when it can. */
    Optional<String> unavailableReason();

    /** {@code memory} or {@code redis}, for logs. */
    String describe();

    @Override
    void close();
}
