package io.queueservice.metrics;

import java.time.Duration;
import java.util.List;

/** What workers report about their work. {@link #NO_OP} when nobody is listening. */
public interface WorkerMetrics {
    /** Every {@code outcome} {@link #consumed} reports. */
    List<String> OUTCOMES = List.of("ack", "retry", "dead_letter");

    /** Every {@code reason} {@link #consumeFailed} reports. */
    List<String> FAILURE_REASONS = List.of("exception", "retry");

    /**
     * A worker of {@code queue} starts, before its first message: the queue's series can exist from now on, at
     * 0 ({@link #OUTCOMES}, {@link #FAILURE_REASONS}, retries, dead letters). Does nothing unless implemented.
     */
    default void workerStarted(String queue) {}

    /** A message was handled; {@code outcome} is {@code ack}, {@code retry} or {@code dead_letter}. */
    void consumed(String queue, String outcome, Duration processing);

    /** A handler failed (threw, or asked to retry); {@code reason} is {@code exception} or {@code retry}. */
    void consumeFailed(String queue, String reason);

    /** A message was sent to a retry queue. */
    void retried(String queue);

    /** A message was sent to the dead-letter queue. */
    void deadLettered(String queue);

    /** The circuit breaker's state changed: {@code closed}, {@code open} or {@code half_open}. */
    void circuitState(String queue, String state);

    WorkerMetrics NO_OP = new WorkerMetrics() {
        @Override
        public void consumed(String queue, String outcome, Duration processing) {}

        @Override
        public void consumeFailed(String queue, String reason) {}

        @Override
        public void retried(String queue) {}

        @Override
        public void deadLettered(String queue) {}

        @Override
        public void circuitState(String queue, String state) {}
    };
}
