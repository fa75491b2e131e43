package io.queueservice.server.api;

import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.tracing.LogFields;
import io.queueservice.tracing.TraceContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/publish}: answers 202 only once the broker confirmed the message (or, with {@code
 * options.delay}, the message scheduled in the delay machinery). A W3C {@code traceparent} request header
 * travels in the message headers (see {@link PublishMessages#toMessage(PublishRequest, String, String)}), and the message's
 * trace id is in the log context of the request's lines.
 */
final class PublishHandler {
    private static final Logger log = LoggerFactory.getLogger(PublishHandler.class);

    private final Publisher publisher;
    private final Publishing publishing;
    private final WriteBatching writes;

    PublishHandler(Publisher publisher, Publishing publishing) {
        this.publisher = publisher;
        this.publishing = publishing;
        this.writes = new WriteBatching(publisher);
    }

    void publish(RoutingContext ctx) {
        Publishing.Prepared prepared = publishing.prepare(
                JsonBodies.read(ctx, PublishRequest.class),
                AccessCheck.caller(ctx),
                ctx.request().getHeader(TraceContext.TRACEPARENT),
                ctx.request().getHeader(TraceContext.TRACESTATE));
        OutgoingMessage message = prepared.toSend();
        RequestIds.put(ctx, LogFields.TRACE_ID, traceId(message));
        // No thread waits for the confirm: the answer is written on the request's event loop once it comes.
        Context eventLoop = Vertx.currentContext();
        writes.beforePublish(eventLoop);
        publisher
                .publish(message)
                .whenComplete((ok, failure) -> eventLoop.runOnContext(v -> {
                    writes.afterSettled();
                    if (failure != null) {
                        ctx.fail(Publishing.inRequestTerms(failure));
                        return;
                    }
                    if (log.isDebugEnabled()) {
                        try (RequestIds.LogScope ignored = RequestIds.logContext(ctx)) {
                            OutgoingMessage target = prepared.target();
                            log.debug(
                                    "message {} accepted: exchange '{}', routing key '{}'{}",
                                    target.properties().getMessageId(),
                                    target.exchange(),
                                    target.routingKey(),
                                    prepared instanceof Publishing.Scheduled s
                                            ? ", due at " + s.scheduled().deliverAt()
                                            : "");
                        }
                    }
                    Json.write(ctx, 202, prepared.answer());
                }));
    }

    /** The trace id of the message's {@code traceparent} header (the request's, or the client's own). */
    private static String traceId(OutgoingMessage message) {
        Map<String, Object> headers = message.properties().getHeaders();
        Object traceparent = headers == null ? null : headers.get(TraceContext.TRACEPARENT);
        return traceparent instanceof String s ? TraceContext.traceId(s) : null;
    }
}
