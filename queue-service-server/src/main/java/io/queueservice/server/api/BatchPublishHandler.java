package io.queueservice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.PublishMetrics.PublishFailure;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.server.security.AccessControl;
import io.queueservice.server.security.Caller;
import io.queueservice.tracing.TraceContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /api/v1/publish/batch}: many publishes in one request. Each item is the body of {@code POST
 * /api/v1/publish} and succeeds or fails alone, with the answer it would have had alone; all valid items are
 * sent before any confirm is awaited, and the answer (200) comes once every item is settled, in request
 * order. A batch that cannot be taken as a whole (no broker, or more messages than may wait for their
 * confirm) is answered 503 before anything is sent.
 */
final class BatchPublishHandler {
    /** The body: the items, each kept as its JSON text and read on its own. */
    record BatchRequest(List<RawJson> messages) {}

    /** One item's outcome: {@code published} with the message's coordinates, or {@code failed} with why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ItemResult(String status, String messageId, String exchange, String routingKey, Problem error) {
        static ItemResult published(OutgoingMessage m) {
            return new ItemResult("published", m.properties().getMessageId(), m.exchange(), m.routingKey(), null);
        }

        static ItemResult failed(Problem error) {
            return new ItemResult("failed", null, null, null, error);
        }
    }

    record BatchAnswer(int published, int failed, List<ItemResult> results) {}

    private final Publisher publisher;
    private final PublishMetrics metrics;
    private final AccessControl access;
    private final int maxMessages;

    BatchPublishHandler(Publisher publisher, PublishMetrics metrics, AccessControl access, int maxMessages) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.access = access;
        this.maxMessages = maxMessages;
    }

    void publish(RoutingContext ctx) {
        List<RawJson> items = JsonBodies.read(ctx, BatchRequest.class).messages();
        if (items == null || items.isEmpty()) {
            throw new InvalidRequestException("messages", "is required: a non-empty array of publish requests");
        }
        if (items.size() > maxMessages) {
            throw new InvalidRequestException(
                    "messages",
                    "holds " + items.size() + " items, more than the " + maxMessages
                            + " a batch may hold (PUBLISH_BATCH_MAX_MESSAGES)");
        }
        String traceparent = ctx.request().getHeader(TraceContext.TRACEPARENT);
        String tracestate = ctx.request().getHeader(TraceContext.TRACESTATE);
        Caller caller = AccessCheck.caller(ctx);

        // Each item becomes a message to send, or its failure; the messages go to the publisher together.
        List<OutgoingMessage> messages = new ArrayList<>(items.size());
        List<CompletableFuture<Void>> outcomes = new ArrayList<>(items.size());
        List<OutgoingMessage> toSend = new ArrayList<>(items.size());
        for (RawJson item : items) {
            OutgoingMessage message = null;
            CompletableFuture<Void> outcome = null;
            try {
                message = JsonBodies.read(item.bytes(), PublishRequest.class).toMessage(traceparent, tracestate);
                access.checkPublish(caller, message.exchange());
                toSend.add(message);
            } catch (InvalidRequestException e) {
                metrics.publishFailed("", PublishFailure.INVALID); // the item's names cannot be trusted as labels
                outcome = CompletableFuture.failedFuture(e);
            } catch (RuntimeException e) {
                outcome = CompletableFuture.failedFuture(e); // refused by the token's scopes
            }
            messages.add(message);
            outcomes.add(outcome);
        }
        List<CompletableFuture<Void>> sent = toSend.isEmpty() ? List.of() : publisher.publishAll(toSend);
        for (int i = 0, next = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) == null) {
                outcomes.set(i, sent.get(next++));
            }
        }
        Context eventLoop = Vertx.currentContext();
        CompletableFuture.allOf(outcomes.stream()
                        .map(f -> f.exceptionally(failure -> null))
                        .toArray(CompletableFuture[]::new))
                .whenComplete(
                        (done, never) -> eventLoop.runOnContext(v -> Json.write(ctx, 200, answer(messages, outcomes))));
    }

    private static BatchAnswer answer(List<OutgoingMessage> messages, List<CompletableFuture<Void>> outcomes) {
        List<ItemResult> results = new ArrayList<>(outcomes.size());
        int published = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            Throwable failure = outcomes.get(i).handle((ok, t) -> t).join();
            if (failure == null) {
                results.add(ItemResult.published(messages.get(i)));
                published++;
            } else {
                results.add(ItemResult.failed(Problems.ofItem(failure)));
            }
        }
        return new BatchAnswer(published, results.size() - published, results);
    }
}
