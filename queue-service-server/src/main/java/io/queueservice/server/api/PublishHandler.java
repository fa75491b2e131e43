package io.queueservice.server.api;

import io.queueservice.broker.InvalidRequestException;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.PublishMetrics.PublishFailure;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.server.security.AccessControl;
import io.queueservice.tracing.LogFields;
import io.queueservice.tracing.TraceContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/publish}: answers 202 only once the broker confirmed the message. A W3C {@code
 * traceparent} request header travels in the message headers (see {@link PublishRequest#toMessage(String,
 * String)}), and the message's trace id is in the log context of the request's lines.
 */
final class PublishHandler {
    private static final Logger log = LoggerFactory.getLogger(PublishHandler.class);

    /** What a successful publish answers. */
    record Published(String status, String messageId, String exchange, String routingKey) {}

    private final Publisher publisher;
    private final PublishMetrics metrics;
    private final AccessControl access;
    private final WriteBatching writes;

    PublishHandler(Publisher publisher, PublishMetrics metrics, AccessControl access) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.access = access;
        this.writes = new WriteBatching(publisher);
    }

    void publish(RoutingContext ctx) {
        OutgoingMessage message;
        try {
            message = JsonBodies.read(ctx, PublishRequest.class)
                    .toMessage(
                            ctx.request().getHeader(TraceContext.TRACEPARENT),
                            ctx.request().getHeader(TraceContext.TRACESTATE));
        } catch (InvalidRequestException e) {
            metrics.publishFailed("", PublishFailure.INVALID); // the request's names cannot be trusted as labels
            throw e;
        }
        access.checkPublish(AccessCheck.caller(ctx), message.exchange());
        RequestIds.put(ctx, LogFields.TRACE_ID, traceId(message));
        Published answer = new Published(
                "published", message.properties().getMessageId(), message.exchange(), message.routingKey());
        // No thread waits for the confirm: the answer is written on the request's event loop once it comes.
        Context eventLoop = Vertx.currentContext();
        writes.beforePublish(eventLoop);
        publisher
                .publish(message)
                .whenComplete((ok, failure) -> eventLoop.runOnContext(v -> {
                    writes.afterSettled();
                    if (failure != null) {
                        ctx.fail(failure);
                        return;
                    }
                    if (log.isDebugEnabled()) {
                        try (RequestIds.LogScope ignored = RequestIds.logContext(ctx)) {
                            log.debug(
                                    "message {} accepted: exchange '{}', routing key '{}'",
                                    answer.messageId(),
                                    answer.exchange(),
                                    answer.routingKey());
                        }
                    }
                    Json.write(ctx, 202, answer);
                }));
    }

    /** The trace id of the message's {@code traceparent} header (the request's, or the client's own). */
    private static String traceId(OutgoingMessage message) {
        Map<String, Object> headers = message.properties().getHeaders();
        Object traceparent = headers == null ? null : headers.get(TraceContext.TRACEPARENT);
        return traceparent instanceof String s ? TraceContext.traceId(s) : null;
    }
}
