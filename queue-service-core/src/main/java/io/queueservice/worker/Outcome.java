package io.queueservice.worker;

import java.time.Duration;
import java.util.Objects;

/** What a handler decided about a message. Each is acted on exactly once. */
public sealed interface Outcome permits Outcome.Ack, Outcome.Retry, Outcome.DeadLetter {

    /** Done: the message is removed from the queue. */
    record Ack() implements Outcome {}

    /**
     * Try again later. Counts as a failure of the downstream for the circuit breaker.
     *
     * @param delay how long to wait, or null for the next step of the backoff schedule
     */
    record Retry(Duration delay) implements Outcome {}

    /** Never processable: the message goes to the queue's dead-letter queue, with this reason. */
    record DeadLetter(String reason) implements Outcome {
        public DeadLetter {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static Outcome ack() {
        return new Ack();
    }

    /** Retry after the next delay of the backoff schedule. */
    static Outcome retry() {
        return new Retry(null);
    }

    /** Retry after about this delay (rounded up to a step of the schedule's queues, at most the maximum). */
    static Outcome retry(Duration delay) {
        return new Retry(Objects.requireNonNull(delay, "delay"));
    }

    static Outcome deadLetter(String reason) {
        return new DeadLetter(reason);
    }
}
