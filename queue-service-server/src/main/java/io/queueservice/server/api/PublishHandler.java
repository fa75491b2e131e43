package io.queueservice.server.api;

import io.javalin.http.Context;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.PublishMetrics.PublishFailure;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.server.security.AccessControl;
import io.queueservice.tracing.LogFields;
import io.queueservice.tracing.TraceContext;
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

    private final ConfirmingPublisher publisher;
    private final PublishMetrics metrics;
    private final JsonBodies bodies;
    private final AccessControl access;

    PublishHandler(ConfirmingPublisher publisher, PublishMetrics metrics, JsonBodies bodies, AccessControl access) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.bodies = bodies;
        this.access = access;
    }

    void publish(Context ctx) {
        OutgoingMessage message;
        try {
            message = bodies.read(ctx, PublishRequest.class)
                    .toMessage(ctx.header(TraceContext.TRACEPARENT), ctx.header(TraceContext.TRACESTATE));
        } catch (InvalidRequestException e) {
            metrics.publishFailed("", PublishFailure.INVALID); // the request's names cannot be trusted as labels
            throw e;
        }
        access.checkPublish(ctx, message.exchange());
        RequestIds.put(ctx, LogFields.TRACE_ID, traceId(message));
        Published answer = new Published(
                "published", message.properties().getMessageId(), message.exchange(), message.routingKey());
        // Asynchronous: no request thread waits for the confirm; failures reach the problem mapper.
        ctx.future(() -> publisher.publish(message).thenAccept(confirmed -> {
            if (log.isDebugEnabled()) {
                try (RequestIds.Scope ignored = RequestIds.logContext(ctx)) { // on the confirm's thread
                    log.debug(
                            "message {} accepted: exchange '{}', routing key '{}'",
                            answer.messageId(),
                            answer.exchange(),
                            answer.routingKey());
                }
            }
            ctx.status(202).json(answer);
        }));
    }

    /** The trace id of the message's {@code traceparent} header (the request's, or the client's own). */
    private static String traceId(OutgoingMessage message) {
        Map<String, Object> headers = message.properties().getHeaders();
        Object traceparent = headers == null ? null : headers.get(TraceContext.TRACEPARENT);
        return traceparent instanceof String s ? TraceContext.traceId(s) : null;
    }
}
