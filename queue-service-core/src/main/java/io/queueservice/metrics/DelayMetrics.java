package io.queueservice.metrics;

import java.time.Duration;
import java.util.Locale;

/** What the delay dispatcher reports about its work. {@link #NO_OP} when nobody is listening. */
public interface DelayMetrics {

    /** A delayed message reached its target (confirmed), {@code lateness} after it was due. */
    void dispatched(Duration lateness);

    /** A delayed message that came due went to the delay dead-letter queue instead of its target. */
    void deadLettered(DeadLetterReason reason);

    /** Dispatching failed for a reason that may pass (broker unavailable, timeout); the message waits again. */
    void dispatchRetried();

    /** Why a delayed message was dead-lettered, as a bounded set of label values. */
    enum DeadLetterReason {
        /** Published mandatory, and no queue is bound for its routing key. */
        UNROUTABLE,
        /** Its exchange does not exist (any more). */
        EXCHANGE_NOT_FOUND,
        /** The broker refused it (internal exchange, no permission). */
        REFUSED,
        /** The due queue held a message that the delay levels did not put there. */
        MALFORMED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    DelayMetrics NO_OP = new DelayMetrics() {
        @Override
        public void dispatched(Duration lateness) {}

        @Override
        public void deadLettered(DeadLetterReason reason) {}

        @Override
        public void dispatchRetried() {}
    };
}
