package io.queueservice.server.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Where message schemas are kept, by name: durable, and shared by every instance of the service, each of
 * which is told every change in the same order.
 */
public interface SchemaStore {
    /** Told the store's changes, one at a time, in the store's order. */
    interface Listener {
        /** {@code name} was defined, or defined again, as {@code value}. */
        void defined(String name, ObjectNode value, Instant updatedAt);

        /** {@code name} was deleted. */
        void deleted(String name);
    }

    /**
     * Tells {@code listener} every definition there is (each as defined), then every change, from now on.
     * Called once, before any write.
     */
    void follow(Listener listener);

    /**
     * Defines {@code name} as {@code value}.
     *
     * @return completed once the listener of this instance was told the change (a read that follows sees it);
     *     completed exceptionally with a {@link io.queueservice.broker.BrokerException} when the store could
     *     not take it
     */
    CompletableFuture<Void> put(String name, ObjectNode value);

    /**
     * Deletes {@code name}.
     *
     * @return as {@link #put}; completed exceptionally with {@link io.queueservice.broker.ResourceNotFoundException}
     *     when there is no such name
     */
    CompletableFuture<Void> delete(String name);
}
