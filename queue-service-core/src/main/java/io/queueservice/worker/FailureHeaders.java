package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The headers a worker keeps on a message it retries or dead-letters: our own attempt count (not
 * {@code x-death}, whose counting changed across RabbitMQ versions), why and when it failed, and where
 * it was first published, so a dead-lettered message can be inspected and replayed.
 */
public final class FailureHeaders {
    /** The attempt number of the next delivery (2 after the first failure). */
    public static final String ATTEMPT = "qs-attempt";

    public static final String FIRST_FAILED_AT = "qs-first-failed-at";
    public static final String LAST_FAILED_AT = "qs-last-failed-at";
    /** Why it failed last: the handler's dead-letter reason, "retries exhausted", or the exception. */
    public static final String REASON = "qs-failure-reason";

    public static final String EXCEPTION_CLASS = "qs-exception-class";
    public static final String EXCEPTION_MESSAGE = "qs-exception-message";
    public static final String ORIGINAL_EXCHANGE = "qs-original-exchange";
    public static final String ORIGINAL_ROUTING_KEY = "qs-original-routing-key";

    /**
     * The headers the broker itself sets on a message: when it dead-letters it ({@code x-death}, the first and
     * the last death's), and the delivery count of a quorum queue. Not ours to keep when a message starts again.
     */
    public static final List<String> BROKER_FAILURE_HEADERS = List.of(
            "x-death",
            "x-first-death-exchange",
            "x-first-death-queue",
            "x-first-death-reason",
            "x-last-death-exchange",
            "x-last-death-queue",
            "x-last-death-reason",
            "x-delivery-count");

    /** Longest text kept from a reason or an exception message. */
    static final int MAX_TEXT = 1000;

    private FailureHeaders() {}

    /** The attempt number of this delivery: 1 unless a worker retried it. */
    static int attempt(AMQP.BasicProperties props) {
        Object v = props.getHeaders() == null ? null : props.getHeaders().get(ATTEMPT);
        return v instanceof Number n ? Math.max(1, n.intValue()) : 1;
    }

    static String originalExchange(AMQP.BasicProperties props, Envelope envelope) {
        Object v = props.getHeaders() == null ? null : props.getHeaders().get(ORIGINAL_EXCHANGE);
        return v != null ? v.toString() : envelope.getExchange();
    }

    static String originalRoutingKey(AMQP.BasicProperties props, Envelope envelope) {
        Object v = props.getHeaders() == null ? null : props.getHeaders().get(ORIGINAL_ROUTING_KEY);
        return v != null ? v.toString() : envelope.getRoutingKey();
    }

    /**
     * The properties of the copy to publish after a failure: the original's, with these headers updated.
     *
     * @param nextAttempt the attempt number the copy will be delivered as
     * @param expiration per-message delay for a retry copy, or null (a dead-lettered copy never expires)
     * @param details more about the failure from the handler ({@link Outcome.Retry#headers()}), each text
     *     truncated as the reason is; they replace earlier values of the same names
     */
    static AMQP.BasicProperties afterFailure(
            AMQP.BasicProperties props,
            Envelope envelope,
            int nextAttempt,
            String reason,
            Throwable error,
            String expiration,
            Map<String, String> details) {
        Map<String, Object> h = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
        details.forEach((name, value) -> h.put(name, truncate(value)));
        String now = Instant.now().toString();
        h.putIfAbsent(FIRST_FAILED_AT, now);
        h.put(LAST_FAILED_AT, now);
        h.put(ATTEMPT, nextAttempt);
        h.put(REASON, truncate(reason));
        h.put(ORIGINAL_EXCHANGE, originalExchange(props, envelope));
        h.put(ORIGINAL_ROUTING_KEY, originalRoutingKey(props, envelope));
        if (error != null) {
            h.put(EXCEPTION_CLASS, error.getClass().getName());
            h.put(EXCEPTION_MESSAGE, truncate(String.valueOf(error.getMessage())));
        } else {
            h.remove(EXCEPTION_CLASS);
            h.remove(EXCEPTION_MESSAGE);
        }
        return props.builder().headers(h).expiration(expiration).deliveryMode(2).build();
    }

    /**
     * The properties of a copy dead-lettered by other machinery than a worker (the delay dispatcher, when a
     * message comes due and cannot be delivered): the original's, with {@link #REASON}, the failure times
     * and {@link #ORIGINAL_EXCHANGE}/{@link #ORIGINAL_ROUTING_KEY} set, persistent and never expiring, so
     * it can be inspected and replayed like a worker's dead-lettered messages.
     *
     * @param originalExchange where the message was meant to go ("" for the default exchange)
     */
    public static AMQP.BasicProperties deadLettered(
            AMQP.BasicProperties props, String originalExchange, String originalRoutingKey, String reason) {
        Map<String, Object> h = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
        String now = Instant.now().toString();
        h.putIfAbsent(FIRST_FAILED_AT, now);
        h.put(LAST_FAILED_AT, now);
        h.put(REASON, truncate(reason));
        h.put(ORIGINAL_EXCHANGE, originalExchange);
        h.put(ORIGINAL_ROUTING_KEY, originalRoutingKey);
        return props.builder().headers(h).expiration(null).deliveryMode(2).build();
    }

    static String truncate(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "...";
    }
}
