package io.queueservice.server.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.queueservice.broker.ResourceNotFoundException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A schema store for tests without a broker: one instance, in memory, telling its listener each change
 * before the write completes, as the service's store does.
 */
public final class MemorySchemaStore implements SchemaStore {
    private final Map<String, ObjectNode> values = new LinkedHashMap<>();
    private SchemaStore.Listener listener;

    @Override
    public synchronized void follow(Listener l) {
        listener = l;
        values.forEach((name, value) -> l.defined(name, value, Instant.now()));
    }

    @Override
    public synchronized CompletableFuture<Void> put(String name, ObjectNode value) {
        values.put(name, value.deepCopy());
        listener.defined(name, value.deepCopy(), Instant.now());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> delete(String name) {
        if (values.remove(name) == null) {
            return CompletableFuture.failedFuture(new ResourceNotFoundException("definition", name));
        }
        listener.deleted(name);
        return CompletableFuture.completedFuture(null);
    }

    /** Message schemas kept here. */
    public static MessageSchemas schemas() {
        return new MessageSchemas(new MemorySchemaStore());
    }
}
