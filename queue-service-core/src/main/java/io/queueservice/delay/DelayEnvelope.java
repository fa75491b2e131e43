package io.queueservice.delay;

import com.rabbitmq.client.AMQP;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.worker.FailureHeaders;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How a message travels through the delay levels and comes out as it went in.
 *
 * <p>{@link #wrap} addresses the message to the levels and keeps what must not act while it waits in
 * headers of our own, {@code qs-delay-*}: its target exchange and routing key, its {@code mandatory} flag,
 * its expiration (a per-message TTL would expire it in a level queue, that is move it on early), its
 * delivery mode (it waits persistent whatever it asked, so a confirm means durable storage), and the
 * broker-owned headers it already carried ({@code x-death} and the like, which dead-lettering between the
 * levels would change; {@code CC}/{@code BCC}, which would route copies through the levels). {@link
 * #unwrap} undoes all of it and drops what the levels added, leaving only {@value #DUE_AT}, the time the
 * message was due.
 */
final class DelayEnvelope {
    /** When the message was due (ISO-8601, UTC, millisecond precision); kept on the delivered message. */
    static final String DUE_AT = "qs-delay-due-at";

    static final String EXCHANGE = "qs-delay-exchange";
    static final String ROUTING_KEY = "qs-delay-routing-key";
    /** Present, {@code false}, only for a message published without {@code mandatory}. */
    static final String MANDATORY = "qs-delay-mandatory";

    static final String EXPIRATION = "qs-delay-expiration";
    static final String DELIVERY_MODE = "qs-delay-delivery-mode";
    /** Prefix under which the broker-owned headers the message carried wait. */
    static final String SAVED = "qs-delay-saved-";

    /** Every header of ours starts with it; a message's own are replaced when it is wrapped. */
    static final String PREFIX = "qs-delay-";

    /**
     * Headers the broker adds or acts on: saved when the message carried them, dropped when the levels added
     * them. {@code qs-publish-seq} is the confirming publisher's (it matches returns to publishes).
     */
    private static final Set<String> BROKER_HEADERS = Stream.concat(
                    FailureHeaders.BROKER_FAILURE_HEADERS.stream(), Stream.of("CC", "BCC"))
            .collect(Collectors.toUnmodifiableSet());

    private static final String PUBLISHER_SEQUENCE = "qs-publish-seq";

    private DelayEnvelope() {}

    /** A delayed message taken out of the due queue: what to publish, and when. */
    record Unwrapped(OutgoingMessage message, Instant dueAt) {}

    /** A message in the due queue that the levels did not put there (its headers are missing or wrong). */
    static final class NotDelayedException extends Exception {
        private static final long serialVersionUID = 1L;

        NotDelayedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The message addressed to the delay levels, due {@code delay} after {@code now}.
     *
     * @param delay between 0 and {@link DelayLevels#MAX_DELAY}
     */
    static ScheduledMessage wrap(DelayLevels levels, OutgoingMessage m, Duration delay, Instant now) {
        // Millisecond precision, rounded up so that it is never before now + delay.
        Instant exact = now.plus(delay);
        Instant dueAt = Instant.ofEpochMilli(exact.toEpochMilli());
        if (dueAt.isBefore(exact)) {
            dueAt = dueAt.plusMillis(1);
        }
        AMQP.BasicProperties p = m.properties();
        Map<String, Object> h = new HashMap<>();
        if (p.getHeaders() != null) {
            p.getHeaders().forEach((name, value) -> {
                if (BROKER_HEADERS.contains(name)) {
                    h.put(SAVED + name, value);
                } else if (!name.startsWith(PREFIX)) {
                    h.put(name, value);
                }
            });
        }
        h.put(DUE_AT, dueAt.toString());
        h.put(EXCHANGE, m.exchange());
        h.put(ROUTING_KEY, m.routingKey());
        if (!m.mandatory()) {
            h.put(MANDATORY, false);
        }
        if (p.getExpiration() != null) {
            h.put(EXPIRATION, p.getExpiration());
        }
        if (p.getDeliveryMode() == null || p.getDeliveryMode() != 2) {
            h.put(DELIVERY_MODE, p.getDeliveryMode() == null ? 0 : p.getDeliveryMode());
        }
        AMQP.BasicProperties waiting =
                p.builder().headers(h).expiration(null).deliveryMode(2).build();
        OutgoingMessage out = new OutgoingMessage(
                levels.entryExchange(),
                DelayLevels.routingKey(DelayLevels.levelSeconds(delay)),
                m.body(),
                waiting,
                true);
        return new ScheduledMessage(out, p.getMessageId(), dueAt);
    }

    /**
     * The message as it was before {@link #wrap}, plus {@value #DUE_AT}.
     *
     * @param body the body as delivered from the due queue
     * @throws NotDelayedException when the properties lack the headers {@link #wrap} sets
     */
    static Unwrapped unwrap(AMQP.BasicProperties delivered, byte[] body) throws NotDelayedException {
        Map<String, Object> in = delivered.getHeaders() == null ? Map.of() : delivered.getHeaders();
        String exchange = text(in, EXCHANGE);
        String routingKey = text(in, ROUTING_KEY);
        String due = text(in, DUE_AT);
        Instant dueAt;
        try {
            dueAt = Instant.parse(due);
        } catch (DateTimeException e) {
            throw new NotDelayedException("header " + DUE_AT + " is not an ISO-8601 instant: '" + due + "'");
        }
        Map<String, Object> h = new HashMap<>();
        in.forEach((name, value) -> {
            if (name.startsWith(SAVED)) {
                h.put(name.substring(SAVED.length()), value);
            } else if (!name.startsWith(PREFIX) && !BROKER_HEADERS.contains(name) && !name.equals(PUBLISHER_SEQUENCE)) {
                h.put(name, value);
            }
        });
        h.put(DUE_AT, dueAt.toString());
        AMQP.BasicProperties.Builder b = delivered.builder().headers(h);
        Object expiration = in.get(EXPIRATION);
        b.expiration(expiration == null ? null : expiration.toString());
        Object mode = in.get(DELIVERY_MODE);
        if (mode instanceof Number n) {
            b.deliveryMode(n.intValue() == 0 ? null : n.intValue());
        }
        boolean mandatory = !Boolean.FALSE.equals(in.get(MANDATORY));
        return new Unwrapped(new OutgoingMessage(exchange, routingKey, body, b.build(), mandatory), dueAt);
    }

    /**
     * The properties as delivered, fit to publish again: without the confirming publisher's own header, which
     * it refuses on a message it is given.
     */
    static AMQP.BasicProperties publishable(AMQP.BasicProperties delivered) {
        Map<String, Object> in = delivered.getHeaders();
        if (in == null || !in.containsKey(PUBLISHER_SEQUENCE)) {
            return delivered;
        }
        Map<String, Object> h = new HashMap<>(in);
        h.remove(PUBLISHER_SEQUENCE);
        return delivered.builder().headers(h).build();
    }

    private static String text(Map<String, Object> headers, String name) throws NotDelayedException {
        Object v = headers.get(name);
        if (v == null) {
            throw new NotDelayedException("header " + name + " is missing: not a message of the delay levels");
        }
        return v.toString(); // a LongString as delivered, a String before
    }
}
