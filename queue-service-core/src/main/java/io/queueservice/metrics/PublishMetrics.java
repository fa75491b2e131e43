package io.queueservice.metrics;

import java.time.Duration;
import java.util.Locale;

/** What the publisher reports about its work. {@link #NO_OP} when nobody is listening. */
public interface PublishMetrics {

    /** A message the broker confirmed, {@code confirmLatency} after it was published. */
    void published(String exchange, Duration confirmLatency);

    /** A publish that failed; {@code reason} is a short, fixed word (see {@link PublishFailure}). */
    void publishFailed(String exchange, PublishFailure reason);

    /**
     * A publish request refused before it reached the publisher, its fields invalid: counted as {@link
     * PublishFailure#INVALID}, under no exchange (the request's names cannot be trusted as labels).
     */
    default void invalidRequest() {
        publishFailed("", PublishFailure.INVALID);
    }

    /** A batch of {@code size} messages handed to the publisher at once (each is then counted alone). */
    default void batchPublished(int size) {}

    /** Why a publish failed, as a bounded set of label values. */
    enum PublishFailure {
        INVALID,
        NOT_FOUND,
        REFUSED,
        UNROUTABLE,
        NACKED,
        TIMEOUT,
        UNAVAILABLE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    PublishMetrics NO_OP = new PublishMetrics() {
        @Override
        public void published(String exchange, Duration confirmLatency) {}

        @Override
        public void publishFailed(String exchange, PublishFailure reason) {}
    };
}
