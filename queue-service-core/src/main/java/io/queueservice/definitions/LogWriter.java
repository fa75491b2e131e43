package io.queueservice.definitions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.validation.InvalidRequestException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Appends events to the stream, published with confirms. A write's future completes once this instance
 * applied its event (read your writes), or fails when it was refused, not published, or not seen back
 * within {@link DefinitionsLogSettings#applyTimeout()}.
 */
final class LogWriter {
    private final ConfirmingPublisher publisher;
    private final DefinitionsLogSettings settings;
    private final DefinitionState state;
    private final PendingWrites pending;
    private final BooleanSupplier loaded;

    /** @param loaded whether the log is loaded: writes other than a sync wait for that */
    LogWriter(
            ConfirmingPublisher publisher,
            DefinitionsLogSettings settings,
            DefinitionState state,
            PendingWrites pending,
            BooleanSupplier loaded) {
        this.publisher = publisher;
        this.settings = settings;
        this.state = state;
        this.pending = pending;
        this.loaded = loaded;
    }

    /** See {@link DefinitionsLog#put}. */
    CompletableFuture<Definition> put(String kind, String name, ObjectNode value, Precondition expect) {
        int size = size(value);
        if (size > settings.maxDefinitionBytes()) {
            throw new InvalidRequestException(
                    "definition", "is " + size + " bytes as JSON; at most " + settings.maxDefinitionBytes());
        }
        if (state.bytes() - state.size(kind, name) + size > settings.maxStateBytes()) {
            throw new InvalidRequestException(
                    "definition",
                    "would make the definitions weigh more than " + settings.maxStateBytes()
                            + " bytes together; delete some first");
        }
        return write(new LogEvent.Put(kind, name, expect, Instant.now(), value.deepCopy()))
                .thenApply(Optional::orElseThrow);
    }

    /** See {@link DefinitionsLog#delete}. */
    CompletableFuture<Definition> delete(String kind, String name, Precondition expect) {
        return write(new LogEvent.Delete(kind, name, expect, Instant.now())).thenApply(Optional::orElseThrow);
    }

    /** See {@link DefinitionsLog#sync}. */
    CompletableFuture<Void> sync() {
        return write(new LogEvent.Sync()).thenApply(d -> null);
    }

    private CompletableFuture<Optional<Definition>> write(LogEvent event) {
        if (!(event instanceof LogEvent.Sync) && !loaded.getAsBoolean()) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException(
                    "the definitions are not loaded yet (stream '" + settings.stream() + "')", Duration.ofSeconds(2)));
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<Optional<Definition>> applied = pending.register(id);
        CompletableFuture<Void> published;
        try {
            published = publish(id, event);
        } catch (BrokerException e) {
            published = CompletableFuture.failedFuture(e);
        }
        published.whenComplete((ok, failure) -> {
            if (failure != null) {
                pending.forget(id);
                applied.completeExceptionally(unwrap(failure));
            }
        });
        long timeoutMs = settings.applyTimeout().toMillis();
        return applied.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            pending.forget(id);
            Throwable cause = unwrap(e);
            return CompletableFuture.failedFuture(
                    cause instanceof TimeoutException
                            ? new BrokerTimeoutException("the change was written to the definitions log but not seen"
                                    + " back within " + timeoutMs + " ms; read it again before trying again")
                            : cause);
        });
    }

    /**
     * Publishes one event with the given id, without waiting for it to be read back.
     *
     * @return completed once the broker confirmed it
     * @throws BrokerException when it cannot be published now
     */
    CompletableFuture<Void> publish(String id, LogEvent event) {
        byte[] body = LogEvent.encode(event);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .messageId(id)
                .contentType("application/json")
                .deliveryMode(2)
                .appId("queue-service")
                .type(event.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT))
                .build();
        return publisher.publish(new OutgoingMessage("", settings.stream(), body, props, true));
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    /** What a definition's value weighs, as JSON: what the size limits count. */
    static int size(ObjectNode value) {
        try {
            return LogEvent.JSON.writeValueAsBytes(value).length;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a definition as JSON", e);
        }
    }
}
