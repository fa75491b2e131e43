package io.queueservice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import io.queueservice.broker.AmqpNames;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.server.api.PublishRequest.Options;
import io.queueservice.tracing.TraceContext;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A publish request ({@link PublishRequest}) as the AMQP message it asks for: its fields checked, its
 * properties and headers in AMQP's terms, a message id generated when it has none.
 */
final class PublishMessages {
    /** Longest per-message TTL RabbitMQ accepts, in milliseconds (unsigned 32 bits). */
    private static final long MAX_EXPIRATION = 4_294_967_295L;

    private static final String JSON = "application/json";

    private PublishMessages() {}

    /** The message to publish, with a generated message id when none was given. */
    static OutgoingMessage toMessage(PublishRequest request) {
        return toMessage(request, null, null);
    }

    /**
     * The message to publish, carrying the request's W3C trace context: a valid {@code traceparent} goes
     * in the message headers (with {@code tracestate}, when present and passable), unless {@code
     * options.headers} already holds a {@code traceparent}, which is then kept as the client set it. An
     * invalid {@code traceparent} is ignored, never a reason to refuse the message.
     *
     * @param traceparent the request's {@code traceparent} header, or null
     * @param tracestate the request's {@code tracestate} header, or null
     */
    static OutgoingMessage toMessage(PublishRequest request, String traceparent, String tracestate) {
        String exchange = request.exchange();
        String routingKey = request.routingKey();
        RawJson message = request.message();
        Options options = request.options();
        List<Violation> v = new ArrayList<>();
        String ex = exchange == null ? "" : exchange;
        String key = routingKey == null ? "" : routingKey;
        AmqpNames.checkShortString("exchange", ex, v);
        AmqpNames.checkShortString("routingKey", key, v);
        if (message == null) {
            v.add(new Violation("message", "is required: any JSON value"));
        }
        Options o = options == null ? new Options(null, null, null, null, null, null, null, null, null) : options;
        String contentType = o.contentType() == null ? JSON : o.contentType();
        AmqpNames.checkShortString("options.contentType", contentType, v);
        AmqpNames.checkShortString("options.messageId", o.messageId(), v);
        AmqpNames.checkShortString("options.correlationId", o.correlationId(), v);
        if (o.priority() != null && (o.priority() < 0 || o.priority() > 255)) {
            v.add(new Violation("options.priority", "must be between 0 and 255 but was " + o.priority()));
        }
        String expiration = expiration(o.expiration(), v);
        Map<String, Object> headers = FieldTables.from("options.headers", o.headers(), v);
        if (TraceContext.isValid(traceparent) && !headers.containsKey(TraceContext.TRACEPARENT)) {
            headers.put(TraceContext.TRACEPARENT, traceparent);
            if (TraceContext.isPassableState(tracestate)) {
                headers.put(TraceContext.TRACESTATE, tracestate);
            }
        }
        boolean json = isJson(contentType);
        if (message != null && !json && !message.isString()) {
            v.add(new Violation(
                    "message", "must be a JSON string when options.contentType is not JSON ('" + contentType + "')"));
        }
        InvalidRequestException.throwIfAny(v);

        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .deliveryMode(Boolean.FALSE.equals(o.persistent()) ? 1 : 2)
                .priority(o.priority())
                .expiration(expiration)
                .headers(headers.isEmpty() ? null : headers)
                .messageId(o.messageId() == null || o.messageId().isEmpty() ? newMessageId() : o.messageId())
                .correlationId(o.correlationId())
                .contentType(contentType)
                .timestamp(new Date())
                .build();
        byte[] body = json ? message.bytes() : message.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new OutgoingMessage(ex, key, body, props, !Boolean.FALSE.equals(o.mandatory()));
    }

    /**
     * A random (version 4) UUID. Message ids must be unique, not unpredictable, so they come from
     * ThreadLocalRandom rather than the slower, contended SecureRandom behind UUID.randomUUID().
     */
    static String newMessageId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long high = (r.nextLong() & ~0xF000L) | 0x4000L;
        long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static String expiration(JsonNode node, List<Violation> v) {
        if (node == null || node.isNull()) {
            return null;
        }
        long ms = -1;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            ms = node.longValue();
        } else if (node.isTextual() && node.textValue().matches("\\d{1,10}")) {
            ms = Long.parseLong(node.textValue());
        }
        if (ms < 0 || ms > MAX_EXPIRATION) {
            v.add(new Violation(
                    "options.expiration", "must be a number of milliseconds between 0 and " + MAX_EXPIRATION));
            return null;
        }
        return Long.toString(ms);
    }

    private static boolean isJson(String contentType) {
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return type.equals(JSON) || type.endsWith("+json");
    }
}
