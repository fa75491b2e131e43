package io.queueservice.worker;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** What a handler decided about a message. Each is acted on exactly once. */
public sealed interface Outcome permits Outcome.Ack, Outcome.Retry, Outcome.DeadLetter, Outcome.Requeue {

    /** Done: the message is removed from the queue. */
    record Ack() implements Outcome {}

    /**
     * Try again later. Counts as a failure of the downstream for the circuit breaker. Once the retries are used
     * up, the message is dead-lettered instead.
     *
     * @param delay how long to wait, or null for the next step of the backoff schedule
     * @param atLeast with no {@code delay}: the least the backoff may wait (what a downstream asked for, such as
     *     an HTTP Retry-After), at most the schedule's maximum; null for none
     * @param reason what went wrong, in words: the failure reason of the message's copies (and of its
     *     dead-lettered copy once the retries are used up); null for the worker's own wording
     * @param headers more about the failure, added to the message's copies (text values, e.g. a downstream's
     *     status); empty for none
     */
    record Retry(Duration delay, Duration atLeast, String reason, Map<String, String> headers) implements Outcome {
        public Retry {
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }

        /** This retry, saying what went wrong (see {@link #reason()} and {@link #headers()}). */
        public Retry because(String why, Map<String, String> details) {
            return new Retry(delay, atLeast, Objects.requireNonNull(why, "why"), details);
        }
    }

    /**
     * Never processable: the message goes to the queue's dead-letter queue, with this reason.
     *
     * @param headers more about the failure, added to the dead-lettered copy; empty for none
     */
    record DeadLetter(String reason, Map<String, String> headers) implements Outcome {
        public DeadLetter {
            Objects.requireNonNull(reason, "reason");
            headers = headers == null ? Map.of() : Map.copyOf(headers);
        }
    }

    /**
     * Back to the queue at once, unchanged (its attempt count too), and not a failure: for a handler that
     * learns it must not go on now and pauses its worker ({@link Worker#pause()}); the message is delivered
     * again once the worker resumes. Returned while the worker keeps consuming, it comes straight back.
     */
    record Requeue() implements Outcome {}

    static Outcome ack() {
        return new Ack();
    }

    /** Retry after the next delay of the backoff schedule. */
    static Retry retry() {
        return new Retry(null, null, null, Map.of());
    }

    /** Retry after about this delay (rounded up to a step of the schedule's queues, at most the maximum). */
    static Retry retry(Duration delay) {
        return new Retry(Objects.requireNonNull(delay, "delay"), null, null, Map.of());
    }

    /**
     * Retry after the next delay of the backoff schedule, or after {@code minimum} when that is longer (at most
     * the schedule's maximum, {@code MAX_RETRY_DELAY}).
     */
    static Retry retryAtLeast(Duration minimum) {
        return new Retry(null, Objects.requireNonNull(minimum, "minimum"), null, Map.of());
    }

    static Outcome deadLetter(String reason) {
        return new DeadLetter(reason, Map.of());
    }

    /** Dead-letters with more about the failure in {@code headers} of the dead-lettered copy. */
    static Outcome deadLetter(String reason, Map<String, String> headers) {
        return new DeadLetter(reason, headers);
    }

    /** See {@link Requeue}. */
    static Outcome requeue() {
        return new Requeue();
    }
}
