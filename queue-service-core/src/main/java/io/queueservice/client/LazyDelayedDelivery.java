package io.queueservice.client;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.delay.DelayConfig;
import io.queueservice.delay.DelayedDelivery;
import io.queueservice.delay.ScheduledMessage;
import io.queueservice.metrics.DelayMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.validation.InvalidRequestException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client's delayed publishes: the delay queues are declared and the dispatcher started with the first one, so a
 * client that never delays a message declares nothing and runs no dispatcher.
 */
final class LazyDelayedDelivery {
    /** How long a first delayed publish may wait for the delay queues to be declared. */
    private static final Duration DECLARE_PATIENCE = Duration.ofSeconds(30);

    private final BrokerConnection connection;
    private final ConfirmingPublisher publisher;
    private final DelayConfig config;
    private DelayedDelivery started; // guarded by this

    LazyDelayedDelivery(BrokerConnection connection, ConfirmingPublisher publisher, DelayConfig config) {
        this.connection = connection;
        this.publisher = publisher;
        this.config = config;
    }

    /** See {@link QueueClient#publish(OutgoingMessage, Duration)}. */
    CompletableFuture<ScheduledMessage> publish(OutgoingMessage message, Duration delay) {
        config.checkDelay(delay).ifPresent(v -> {
            throw new InvalidRequestException(List.of(v));
        });
        DelayedDelivery d = started();
        return d.whenReady()
                .orTimeout(DECLARE_PATIENCE.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(new BrokerUnavailableException(
                        "delayed delivery is not available: "
                                + d.unavailableReason().orElse("its queues could not be declared in time"),
                        Duration.ofSeconds(1))))
                .thenCompose(ready -> d.publish(message, delay));
    }

    private synchronized DelayedDelivery started() {
        if (started == null) {
            started = DelayedDelivery.start(connection, publisher, config, DelayMetrics.NO_OP);
        }
        return started;
    }

    /** Stops the dispatcher, if it was started, waiting at most {@code timeout} for deliveries in flight. */
    synchronized void close(Duration timeout) {
        if (started != null) {
            started.close(timeout);
        }
    }
}
