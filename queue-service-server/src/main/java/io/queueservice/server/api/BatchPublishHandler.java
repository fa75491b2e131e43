package io.queueservice.server.api;

import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.server.security.Caller;
import io.queueservice.tracing.TraceContext;
import io.queueservice.validation.InvalidRequestException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** A failed item: why, as the problem the same publish alone would have been answered. */
    record Failed(String status, Problem error) {
        Failed(Problem error) {
            this("failed", error);
        }
    }

    /**
     * @param published items confirmed, scheduled ones included
     * @param results per item, in request order: what the same publish alone answers on success ({@code
     *     published} or {@code scheduled}), or {@link Failed}
     */
    record BatchAnswer(int published, int failed, List<Object> results) {}

    private final Publisher publisher;
    private final Publishing publishing;
    private final int maxMessages;

    BatchPublishHandler(Publisher publisher, Publishing publishing, int maxMessages) {
        this.publisher = publisher;
        this.publishing = publishing;
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
        // What each item answers once confirmed, kept rather than the messages: their bodies need not wait.
        List<Object> answers = new ArrayList<>(items.size());
        List<CompletableFuture<Void>> outcomes = new ArrayList<>(items.size());
        List<OutgoingMessage> toSend = new ArrayList<>(items.size());
        for (RawJson item : items) {
            Publishing.Prepared p = null;
            CompletableFuture<Void> outcome = null;
            try {
                p = publishing.prepare(
                        JsonBodies.read(item.bytes(), PublishRequest.class), caller, traceparent, tracestate);
                toSend.add(p.toSend());
            } catch (RuntimeException e) { // invalid, or refused by the token's scopes
                outcome = CompletableFuture.failedFuture(e);
            }
            answers.add(p == null ? null : p.answer());
            outcomes.add(outcome);
        }
        List<CompletableFuture<Void>> sent = toSend.isEmpty() ? List.of() : publisher.publishAll(toSend);
        for (int i = 0, next = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) == null) {
                outcomes.set(i, sent.get(next++));
            }
        }
        Context eventLoop = Vertx.currentContext();
        AtomicInteger unsettled = new AtomicInteger(outcomes.size());
        for (CompletableFuture<Void> outcome : outcomes) {
            outcome.whenComplete((ok, failure) -> {
                if (unsettled.decrementAndGet() == 0) {
                    eventLoop.runOnContext(v -> Json.write(ctx, 200, answer(answers, outcomes)));
                }
            });
        }
    }

    private static BatchAnswer answer(List<Object> answers, List<CompletableFuture<Void>> outcomes) {
        List<Object> results = new ArrayList<>(outcomes.size());
        int published = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            Throwable failure = outcomes.get(i).handle((ok, t) -> t).join();
            if (failure == null) {
                results.add(answers.get(i));
                published++;
            } else {
                results.add(new Failed(Problems.ofItem(Publishing.inRequestTerms(failure))));
            }
        }
        return new BatchAnswer(published, results.size() - published, results);
    }
}
