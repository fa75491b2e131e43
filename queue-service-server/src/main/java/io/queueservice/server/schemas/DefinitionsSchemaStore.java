package io.queueservice.server.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.queueservice.definitions.Definition;
import io.queueservice.definitions.DefinitionsLog;
import io.queueservice.definitions.Precondition;
import java.util.concurrent.CompletableFuture;

/**
 * Message schemas in the {@link DefinitionsLog}, as definitions of kind {@value #KIND}, beside the push
 * subscriptions: durable (a RabbitMQ stream), followed by every instance, which applies each change within
 * moments, and read again from the stream when an instance starts.
 */
public final class DefinitionsSchemaStore implements SchemaStore {
    /** The kind of the schemas' definitions in the log. */
    public static final String KIND = "schema";

    private final DefinitionsLog log;

    public DefinitionsSchemaStore(DefinitionsLog log) {
        this.log = log;
    }

    /** Called on the log's thread: the listener compiles the schema there, before the writer is answered. */
    @Override
    public void follow(Listener listener) {
        log.addListener(
                KIND,
                change -> change.after()
                        .ifPresentOrElse(
                                (Definition d) -> listener.defined(d.name(), d.value(), d.updatedAt()),
                                () -> listener.deleted(change.name())));
    }

    @Override
    public CompletableFuture<Void> put(String name, ObjectNode value) {
        return log.put(KIND, name, value, Precondition.any()).thenApply(d -> null);
    }

    @Override
    public CompletableFuture<Void> delete(String name) {
        return log.delete(KIND, name, Precondition.any()).thenApply(d -> null);
    }
}
