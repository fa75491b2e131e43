package io.queueservice.deadletters;

import io.queueservice.worker.FailureHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a message is in a dead-letter queue, decoded from its headers: those a worker of the toolkit writes when it
 * dead-letters a message ({@link FailureHeaders}), or {@code x-death}, which RabbitMQ writes when a queue
 * dead-letters it (rejected, expired, over its length limit or its delivery limit).
 *
 * @param source who dead-lettered it
 * @param reason the worker's reason, or the broker's ({@code rejected}, {@code expired}, {@code maxlen},
 *     {@code delivery_limit})
 * @param exceptionClass what the worker's handler threw (worker only)
 * @param exceptionMessage its message (worker only)
 * @param attempts the worker's attempt count, or how many times the broker dead-lettered it from {@code queue}
 *     for that reason
 * @param queue the queue it was dead-lettered from, when the headers say (the broker's {@code x-death})
 */
public record Failure(
        Source source,
        String reason,
        Optional<String> exceptionClass,
        Optional<String> exceptionMessage,
        Optional<Integer> attempts,
        Optional<Instant> firstFailedAt,
        Optional<Instant> lastFailedAt,
        Optional<String> originalExchange,
        Optional<String> originalRoutingKey,
        Optional<String> queue) {

    /** Who dead-lettered the message. */
    public enum Source {
        /** A worker of the toolkit, with its {@code qs-*} headers. */
        WORKER,
        /** RabbitMQ, with {@code x-death}. */
        BROKER
    }

    /** Where a message goes to be published again: an exchange ("" for the default one) and a routing key. */
    public record Address(String exchange, String routingKey) {
        public Address {
            Objects.requireNonNull(exchange, "exchange");
            Objects.requireNonNull(routingKey, "routingKey");
        }
    }

    /** The headers RabbitMQ writes when it dead-letters a message. */
    public static final String X_DEATH = "x-death";

    /**
     * x-death times have a resolution of one second: a broker death counts as later than the worker's last failure
     * only when it is more than that after it.
     */
    private static final Duration CLOCK_RESOLUTION = Duration.ofSeconds(1);

    /** Where the message was published before it failed, when the headers say both exchange and routing key. */
    public Optional<Address> original() {
        return originalExchange.isPresent() && originalRoutingKey.isPresent()
                ? Optional.of(new Address(originalExchange.get(), originalRoutingKey.get()))
                : Optional.empty();
    }

    /**
     * Decodes the failure a message's headers record.
     *
     * <p>A message a worker dead-lettered after retries also carries {@code x-death} entries (its retry queues
     * expired it back to the work queue): the worker's headers win, unless the broker's last death came after the
     * worker's last failure.
     *
     * @return empty when the headers record no failure
     */
    public static Optional<Failure> decode(Map<String, Object> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        Optional<Failure> worker = fromWorker(headers);
        Optional<Failure> broker = fromBroker(headers);
        if (worker.isPresent() && broker.isPresent()) {
            Instant workerLast = worker.get().lastFailedAt().orElse(Instant.MIN);
            Instant brokerLast = broker.get().lastFailedAt().orElse(Instant.MIN);
            return brokerLast.isAfter(workerLast.plus(CLOCK_RESOLUTION)) ? broker : worker;
        }
        return worker.isPresent() ? worker : broker;
    }

    private static Optional<Failure> fromWorker(Map<String, Object> h) {
        String reason = HeaderValues.text(h.get(FailureHeaders.REASON));
        if (reason == null) {
            return Optional.empty();
        }
        return Optional.of(new Failure(
                Source.WORKER,
                reason,
                Optional.ofNullable(HeaderValues.text(h.get(FailureHeaders.EXCEPTION_CLASS))),
                Optional.ofNullable(HeaderValues.text(h.get(FailureHeaders.EXCEPTION_MESSAGE))),
                h.get(FailureHeaders.ATTEMPT) instanceof Number n ? Optional.of(n.intValue()) : Optional.empty(),
                Optional.ofNullable(HeaderValues.instant(h.get(FailureHeaders.FIRST_FAILED_AT))),
                Optional.ofNullable(HeaderValues.instant(h.get(FailureHeaders.LAST_FAILED_AT))),
                Optional.ofNullable(HeaderValues.text(h.get(FailureHeaders.ORIGINAL_EXCHANGE))),
                Optional.ofNullable(HeaderValues.text(h.get(FailureHeaders.ORIGINAL_ROUTING_KEY))),
                Optional.empty()));
    }

    /** From {@code x-death}: a list of tables, the most recent death first. */
    private static Optional<Failure> fromBroker(Map<String, Object> h) {
        if (!(h.get(X_DEATH) instanceof List<?> deaths)
                || deaths.isEmpty()
                || !(deaths.get(0) instanceof Map<?, ?> last)) {
            return Optional.empty();
        }
        Instant first = null;
        for (Object d : deaths) {
            if (d instanceof Map<?, ?> death) {
                Instant t = HeaderValues.instant(death.get("time"));
                if (t != null && (first == null || t.isBefore(first))) {
                    first = t;
                }
            }
        }
        String routingKey = last.get("routing-keys") instanceof List<?> keys && !keys.isEmpty()
                ? HeaderValues.text(keys.get(0))
                : null;
        String reason = HeaderValues.text(last.get("reason"));
        return Optional.of(new Failure(
                Source.BROKER,
                reason == null ? "unknown" : reason,
                Optional.empty(),
                Optional.empty(),
                last.get("count") instanceof Number n ? Optional.of(n.intValue()) : Optional.empty(),
                Optional.ofNullable(first),
                Optional.ofNullable(HeaderValues.instant(last.get("time"))),
                Optional.ofNullable(HeaderValues.text(last.get("exchange"))),
                Optional.ofNullable(routingKey),
                Optional.ofNullable(HeaderValues.text(last.get("queue")))));
    }
}
