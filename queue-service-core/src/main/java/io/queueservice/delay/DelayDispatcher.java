package io.queueservice.delay;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.metrics.DelayMetrics;
import io.queueservice.metrics.DelayMetrics.DeadLetterReason;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.UnroutableMessageException;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.worker.FailureHeaders;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the due queue and publishes each message to its target once it is due, with publisher confirms
 * and {@code mandatory} (unless the message was published without): the delivery from the due queue is
 * acknowledged only after the broker confirmed the copy, so a dispatcher that dies in between (kill -9, lost
 * connection) leaves the message to be redelivered, to itself or to the dispatcher of another instance
 * (competing consumers), never lost. The price is the usual one: a copy may arrive twice.
 *
 * <p>The levels deliver a message to the due queue one to two seconds before it is due (see {@link
 * DelayLevels#levelSeconds}): it is held (unacknowledged, at most {@value #PREFETCH} at once) until its due
 * time. A message
 * whose target cannot take it (no such exchange, unroutable, refused) goes to the delay dead-letter queue with
 * the worker toolkit's {@link FailureHeaders}. A failure that may pass (broker unavailable, timeout, negative
 * confirm) is retried after a pause; every third attempt the message goes back to the end of the due queue
 * (a copy, confirmed, then the original acknowledged) so that it does not hold a place for long.
 */
final class DelayDispatcher {
    private static final Logger log = LoggerFactory.getLogger(DelayDispatcher.class);

    /**
     * Deliveries taken ahead of their due time, at most. With an average hold of 1.5 s, one dispatcher passes
     * about 650 due messages a second before they start to be late; instances add up.
     */
    static final int PREFETCH = 1000;

    /**
     * Longest hold: a message the levels delivered on time is due within two seconds. One due much later was
     * scheduled by an instance whose clock is ahead of ours: it is not held longer than this.
     */
    static final Duration MAX_HOLD = DelayLevels.LEAD.plusMillis(1100);

    private static final Duration FIRST_RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(30);

    private final ConfirmingPublisher publisher;
    private final DelayLevels levels;
    private final DelayMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    /** Called when the consumer is gone while the connection stays: the topology and consumer are set up again. */
    private final Runnable onLost;

    /** Copies published and not yet settled, so that closing can let them finish. */
    private final AtomicInteger publishing = new AtomicInteger();

    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile Channel channel;
    private volatile String consumerTag;
    private volatile boolean stopping;

    DelayDispatcher(
            ConfirmingPublisher publisher,
            DelayLevels levels,
            DelayMetrics metrics,
            Clock clock,
            ScheduledExecutorService timer,
            Runnable onLost) {
        this.onLost = onLost;
        this.publisher = publisher;
        this.levels = levels;
        this.metrics = metrics;
        this.clock = clock;
        this.timer = timer;
    }

    /** Whether it consumes the due queue on an open channel now. */
    boolean consuming() {
        Channel ch = channel;
        return ch != null && ch.isOpen() && consumerTag != null;
    }

    /** Starts consuming the due queue on {@code connection}, unless it does already. */
    void subscribe(Connection connection) throws IOException {
        if (stopping || consuming()) {
            return;
        }
        Channel ch = connection.createChannel();
        if (ch == null) {
            throw new IOException("the broker connection has no free channel");
        }
        ch.basicQos(PREFETCH);
        channel = ch;
        consumerTag = ch.basicConsume(levels.dueQueue(), false, new DueConsumer(ch));
        log.info("dispatching delayed messages from '{}'", levels.dueQueue());
    }

    /** The connection is gone: what was held goes back to the due queue by itself. */
    void lost() {
        channel = null;
        consumerTag = null;
    }

    private final class DueConsumer extends DefaultConsumer {
        DueConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            received(new DueDelivery(getChannel(), envelope, props, body, () -> stopping));
        }

        /** The broker cancelled the consumer (the due queue was deleted, say): set up again. */
        @Override
        public void handleCancel(String tag) {
            lostChannel(getChannel(), "the broker cancelled the consumer of '" + levels.dueQueue() + "'");
        }

        @Override
        public void handleShutdownSignal(String tag, ShutdownSignalException cause) {
            if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
                lostChannel(getChannel(), "the broker closed the channel: " + cause.getMessage());
            } // a lost connection is seen by DelayedDelivery, which sets up again once connected
        }
    }

    private void lostChannel(Channel ch, String why) {
        if (stopping || channel != ch) {
            return;
        }
        log.warn("stopped dispatching delayed messages ({}); setting up again", why);
        lost();
        // Not on this thread: closing a channel from its own consumer's callback may wait for itself.
        later(
                () -> {
                    try {
                        if (ch.isOpen()) {
                            ch.close();
                        }
                    } catch (IOException | TimeoutException | RuntimeException e) {
                        log.debug("closing the due queue's old channel: {}", e.toString());
                    }
                },
                0);
        onLost.run();
    }

    private void received(DueDelivery d) {
        try {
            d.unwrapped = DelayEnvelope.unwrap(d.properties, d.body);
        } catch (DelayEnvelope.NotDelayedException e) {
            deadLetter(d, DeadLetterReason.MALFORMED, e.getMessage());
            return;
        }
        long wait = d.unwrapped.dueAt().toEpochMilli() - clock.millis();
        if (wait <= 0) {
            dispatch(d);
        } else {
            later(() -> dispatch(d), Math.min(wait, MAX_HOLD.toMillis()));
        }
    }

    private void dispatch(DueDelivery d) {
        if (!d.live()) {
            return; // the broker hands it out again
        }
        OutgoingMessage target = d.unwrapped.message();
        publish(target, failure -> {
            if (failure == null) {
                ack(d);
                metrics.dispatched(
                        Duration.ofMillis(clock.millis() - d.unwrapped.dueAt().toEpochMilli()));
                recovered();
                return;
            }
            BrokerException e = BrokerErrors.translate(unwrapped(failure));
            switch (e) {
                case UnroutableMessageException x -> deadLetter(d, DeadLetterReason.UNROUTABLE, x.getMessage());
                case ResourceNotFoundException x ->
                    deadLetter(
                            d, DeadLetterReason.EXCHANGE_NOT_FOUND, "exchange '" + target.exchange() + "' not found");
                case OperationRefusedException x -> deadLetter(d, DeadLetterReason.REFUSED, x.getMessage());
                case InvalidRequestException x -> deadLetter(d, DeadLetterReason.REFUSED, x.getMessage());
                default -> retry(d, e, () -> dispatch(d));
            }
        });
    }

    /** Sends the message to the delay dead-letter queue with why, then acknowledges it. */
    private void deadLetter(DueDelivery d, DeadLetterReason reason, String detail) {
        if (!d.live()) {
            return;
        }
        String why = "delayed delivery failed when due (" + reason.label() + "): " + detail;
        publish(new OutgoingMessage("", levels.deadLetterQueue(), d.body, d.deadLettered(why), true), failure -> {
            if (failure == null) {
                ack(d);
                metrics.deadLettered(reason);
                log.warn(
                        "a delayed message (id {}) went to '{}': {}",
                        d.properties.getMessageId(),
                        levels.deadLetterQueue(),
                        why);
            } else {
                retry(d, BrokerErrors.translate(unwrapped(failure)), () -> deadLetter(d, reason, detail));
            }
        });
    }

    /**
     * After a failure that may pass: tries again after a growing pause; every third time, puts the message
     * back at the end of the due queue instead, so it does not hold one of the {@value #PREFETCH} places.
     */
    private void retry(DueDelivery d, BrokerException why, Runnable again) {
        if (!d.live()) {
            return;
        }
        metrics.dispatchRetried();
        if (failing.compareAndSet(false, true)) {
            log.warn(
                    "cannot dispatch due messages now ({}); they wait in '{}' and are tried again",
                    why.getMessage(),
                    levels.dueQueue());
        }
        d.attempts++;
        long pause = Math.min(MAX_RETRY_PAUSE.toMillis(), FIRST_RETRY_PAUSE.toMillis() << Math.min(d.attempts - 1, 10));
        if (d.attempts % 3 != 0) {
            later(again, pause);
            return;
        }
        // A copy as delivered (its headers say where it goes and when); the original is acknowledged once the
        // copy is confirmed. Should that fail too, the original stays ours and is tried again.
        publish(
                new OutgoingMessage("", levels.dueQueue(), d.body, DelayEnvelope.publishable(d.properties), true),
                failure -> {
                    if (failure == null) {
                        ack(d);
                    } else {
                        later(again, pause);
                    }
                });
    }

    /**
     * Publishes {@code m} and hands the outcome (null for a confirm) to {@code then}, counted in {@link
     * #publishing} until {@code then} has settled the delivery.
     */
    private void publish(OutgoingMessage m, Consumer<Throwable> then) {
        publishing.incrementAndGet();
        CompletableFuture<Void> sent;
        try {
            sent = publisher.publish(m);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, failure) -> {
            try {
                then.accept(failure);
            } catch (RuntimeException e) {
                log.warn("settling a due message failed", e);
            } finally {
                publishing.decrementAndGet();
            }
        });
    }

    private void recovered() {
        if (failing.compareAndSet(true, false)) {
            log.info("dispatching due messages again");
        }
    }

    private void later(Runnable task, long millis) {
        try {
            timer.schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the message goes back to the due queue with the channel
        }
    }

    private void ack(DueDelivery d) {
        try {
            d.channel.basicAck(d.tag, false);
        } catch (IOException | RuntimeException e) {
            // The channel closed since: the broker hands the message out again, and it is delivered twice.
            log.debug("could not acknowledge due message {}: {}", d.tag, e.toString());
        }
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    }

    /**
     * Stops taking messages, lets the copies already published be confirmed (at most {@code timeout}), then
     * closes the channel: every message held and not dispatched goes back to the due queue.
     */
    void close(Duration timeout) {
        stopping = true;
        Channel ch = channel;
        String tag = consumerTag;
        try {
            if (ch != null && ch.isOpen() && tag != null) {
                ch.basicCancel(tag);
            }
        } catch (IOException | RuntimeException e) {
            log.debug("cancelling the due queue's consumer: {}", e.toString());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (publishing.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // a bounded wait at shutdown for confirms that arrive on other threads
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.debug("closing the due queue's channel: {}", e.toString());
            }
        }
        lost();
    }
}
