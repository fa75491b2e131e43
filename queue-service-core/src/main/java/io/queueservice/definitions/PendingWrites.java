package io.queueservice.definitions;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This instance's events that wait to be read back, by event id (the message id): the future of a write,
 * or of a sync event that marks how far the log must be read. An event whose id is here is one of ours.
 */
final class PendingWrites {
    private final Map<String, CompletableFuture<Optional<Definition>>> waiters = new ConcurrentHashMap<>();

    /** A future completed once the event with this id is applied here. */
    CompletableFuture<Optional<Definition>> register(String id) {
        CompletableFuture<Optional<Definition>> applied = new CompletableFuture<>();
        waiters.put(id, applied);
        return applied;
    }

    /** Whether the event with this id was written by this instance and is still waited for. */
    boolean isOwn(String id) {
        return id != null && waiters.containsKey(id);
    }

    /** Stops waiting for the event, without completing its future. */
    void forget(String id) {
        waiters.remove(id);
    }

    void complete(String id, Optional<Definition> result) {
        CompletableFuture<Optional<Definition>> w = id == null ? null : waiters.remove(id);
        if (w != null) {
            w.complete(result);
        }
    }

    void fail(String id, Throwable reason) {
        CompletableFuture<Optional<Definition>> w = id == null ? null : waiters.remove(id);
        if (w != null) {
            w.completeExceptionally(reason);
        }
    }

    void failAll(Throwable reason) {
        waiters.values().forEach(w -> w.completeExceptionally(reason));
        waiters.clear();
    }
}
