package io.queueservice.publish;

import io.queueservice.broker.AmqpNames;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.FrameSize;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.PublishMetrics.PublishFailure;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes messages and tells each caller, through a future, whether the broker has taken
 * responsibility for its message (a publisher confirm). Thread-safe; meant to be shared.
 *
 * <p>Messages are spread over a few channels in confirm mode; many may be in flight at once and their
 * confirms arrive asynchronously, so throughput does not depend on one round trip per message. A
 * channel that dies (the broker closed it, or the connection was lost) fails its pending messages and
 * is replaced by a new one on the next publish; so is a channel that received a negative confirm (see
 * {@link PublisherChannel#isUsable()}).
 *
 * <p>The first publish to an exchange goes alone, on a channel of its own, so that a refusal (no such
 * exchange, internal, not writable), which the broker answers by closing the channel, cannot fail other
 * messages: see {@link FirstPublishGate}.
 */
public final class ConfirmingPublisher implements Publisher, BrokerConnection.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfirmingPublisher.class);

    /**
     * A header the publisher may add to a message to match a return to its publish, and refuses on messages it is
     * given: a copy of a message that went through it (a dead letter, say) must drop it before it is published again.
     */
    public static final String RESERVED_HEADER = PublisherChannel.SEQUENCE_HEADER;

    private static final Duration RETRY_AFTER_FULL = Duration.ofSeconds(1);
    private static final Duration RETRY_AFTER_BLOCKED = Duration.ofSeconds(5);

    private final BrokerConnection connection;
    private final PublishConfig config;
    private final PublishMetrics metrics;
    private final Semaphore inFlight;
    private final KnownExchanges knownExchanges;
    private final FirstPublishGate gate;
    private final ChannelPool channels;
    private final TimeoutSweeper timeouts;

    /**
     * Confirm timeouts, and work that must not run on the connection's reader thread, where confirms are
     * handled: anything that waits for the broker's answer (opening or closing a channel) would wait for
     * itself there.
     */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "publisher");
        t.setDaemon(true);
        return t;
    });

    private volatile boolean closed;

    /**
     * @param connection the connection to publish on; a dedicated one is best, so a broker blocking
     *     publishers does not also stall other work
     * @param knownExchanges which exchanges are proven publishable (see {@link FirstPublishGate})
     */
    public ConfirmingPublisher(
            BrokerConnection connection, KnownExchanges knownExchanges, PublishConfig config, PublishMetrics metrics) {
        this.connection = connection;
        this.config = config;
        this.metrics = metrics;
        this.inFlight = new Semaphore(config.maxInFlight());
        this.knownExchanges = knownExchanges;
        this.gate = new FirstPublishGate(knownExchanges, this::sendShared, this::sendAlone, timer);
        this.channels = new ChannelPool(
                connection, config.channels(), config.requestTimeout(), inFlight::release, knownExchanges, timer);
        this.timeouts = new TimeoutSweeper(timer, config.requestTimeout());
        connection.addListener(this);
        timeouts.sweep(channels);
    }

    /**
     * Publishes a message.
     *
     * @return a future completed when the broker confirmed the message; completed exceptionally with an
     *     {@link InvalidRequestException} (bad names), {@link ResourceNotFoundException} (no such exchange),
     *     {@link OperationRefusedException} (internal exchange, or no write permission),
     *     {@link UnroutableMessageException} (mandatory and no queue receives it), {@link
     *     MessageNackedException}, {@link BrokerUnavailableException} (not connected, publishers blocked,
     *     too many messages in flight, channel lost) or {@link BrokerTimeoutException} (no confirm within
     *     the request timeout: the outcome is unknown)
     */
    @Override
    public CompletableFuture<Void> publish(OutgoingMessage message) {
        long started = System.nanoTime();
        CompletableFuture<Void> result;
        try {
            result = send(message);
        } catch (BrokerException e) {
            result = CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(BrokerErrors.translate(e));
        }
        return counted(message, result, started);
    }

    /**
     * Publishes a batch: the messages are all sent before any confirm is awaited, those to exchanges already
     * proven publishable on one channel and in this order, in one burst of writes. Each message succeeds or
     * fails alone, as {@link #publish} says.
     *
     * @return a future per message, in the same order
     * @throws BrokerUnavailableException when the batch as a whole cannot be taken now (not connected, the
     *     broker blocking publishers, shutting down, or not enough room among the messages in flight for all
     *     of them); nothing was sent
     */
    @Override
    public List<CompletableFuture<Void>> publishAll(List<OutgoingMessage> messages) {
        long started = System.nanoTime();
        if (closed) {
            throw new BrokerUnavailableException("the service is shutting down", RETRY_AFTER_FULL);
        }
        int frameMax = connection.requirePublishable().getFrameMax();
        if (!inFlight.tryAcquire(messages.size())) {
            throw new BrokerUnavailableException(
                    "too many messages are waiting for the broker's confirm to take " + messages.size() + " more",
                    RETRY_AFTER_FULL);
        }
        List<CompletableFuture<Void>> results = new ArrayList<>(messages.size());
        List<OutgoingMessage> shared = new ArrayList<>(messages.size());
        List<Integer> sharedAt = new ArrayList<>(messages.size());
        for (OutgoingMessage m : messages) {
            CompletableFuture<Void> result;
            try {
                checkNames(m);
                FrameSize.checkProperties(frameMax, m.properties(), m.body().length, "headers");
                if (knownExchanges.isProven(m.exchange())) {
                    sharedAt.add(results.size());
                    shared.add(m);
                    results.add(null); // filled below, once the shared ones are sent together
                    continue;
                }
                inFlight.release(); // the gate takes its own permit, when the message's turn comes
                result = gate.send(m);
            } catch (BrokerException e) {
                inFlight.release();
                result = CompletableFuture.failedFuture(e);
            }
            results.add(result);
        }
        if (!shared.isEmpty()) {
            List<CompletableFuture<Void>> sent;
            try {
                sent = channels.next().publishAll(shared);
            } catch (BrokerException e) {
                inFlight.release(shared.size());
                sent = shared.stream()
                        .map(m -> CompletableFuture.<Void>failedFuture(e))
                        .toList();
            }
            for (int i = 0; i < sent.size(); i++) {
                results.set(sharedAt.get(i), sent.get(i));
            }
        }
        List<CompletableFuture<Void>> counted = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            counted.add(counted(messages.get(i), results.get(i), started));
        }
        metrics.batchPublished(messages.size());
        return counted;
    }

    /** {@code result}, once settled, counted in the publish metrics. */
    private CompletableFuture<Void> counted(OutgoingMessage message, CompletableFuture<Void> result, long started) {
        String exchange = message.exchange(); // not the message: its body need not live until the confirm
        return result.handle((ok, failure) -> {
            if (failure == null) {
                metrics.published(exchange, Duration.ofNanos(System.nanoTime() - started));
                return null;
            }
            BrokerException e = BrokerErrors.translate(unwrapped(failure));
            metrics.publishFailed(exchange, failureOf(e));
            throw new CompletionException(e);
        });
    }

    private CompletableFuture<Void> send(OutgoingMessage m) {
        checkNames(m);
        if (closed) {
            throw new BrokerUnavailableException("the service is shutting down", RETRY_AFTER_FULL);
        }
        // A message whose properties exceed a frame would make the broker close the connection, failing
        // every other message in flight on it: refused here instead.
        FrameSize.checkProperties(
                connection.requirePublishable().getFrameMax(), m.properties(), m.body().length, "headers");
        return gate.send(m);
    }

    private CompletableFuture<Void> sendShared(OutgoingMessage m) {
        return withPermit(() -> channels.next().publish(m));
    }

    /** Publishes on a channel opened for this message only, closed once it is settled. */
    private CompletableFuture<Void> sendAlone(OutgoingMessage m) {
        PublisherChannel alone = withPermit(channels::openAlone);
        CompletableFuture<Void> result = alone.publish(m);
        timeouts.sweepOnce(alone);
        return result.whenCompleteAsync((ok, failure) -> alone.close(), timer);
    }

    /** Runs {@code send} holding one in-flight permit, released when its message is settled. */
    private <T> T withPermit(java.util.function.Supplier<T> send) {
        if (!inFlight.tryAcquire()) {
            throw new BrokerUnavailableException(
                    "too many messages are waiting for the broker's confirm", RETRY_AFTER_FULL);
        }
        try {
            return send.get();
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
    }

    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
    }

    private static void checkNames(OutgoingMessage m) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkShortString("exchange", m.exchange(), v);
        AmqpNames.checkShortString("routingKey", m.routingKey(), v);
        Map<String, Object> headers = m.properties().getHeaders();
        if (headers != null && headers.containsKey(PublisherChannel.SEQUENCE_HEADER)) {
            // It matches returned messages to their publish: a client's value would confuse that.
            v.add(new Violation("headers." + PublisherChannel.SEQUENCE_HEADER, "is reserved by the gateway"));
        }
        InvalidRequestException.throwIfAny(v);
    }

    /**
     * The broker blocked the connection (memory or disk alarm) after receiving messages it will not
     * confirm until the alarm clears: their callers get 503 now instead of a timeout later. The messages
     * may still be stored when the broker resumes, which a retry would duplicate but never lose.
     */
    @Override
    public void blocked(String reason) {
        BrokerException why = new BrokerUnavailableException(
                "the broker stopped accepting messages (" + reason + "); this one may still be stored when it resumes",
                RETRY_AFTER_BLOCKED);
        channels.abandonWaiting(why);
    }

    @Override
    public WriteHold holdWrites() {
        return connection.holdWrites()::run;
    }

    /** Messages published and not yet confirmed. */
    public int inFlight() {
        return config.maxInFlight() - inFlight.availablePermits();
    }

    /**
     * Stops taking messages and waits, at most {@code timeout}, for the confirms of those in flight.
     *
     * @return true when every message in flight was settled in time
     */
    public boolean drain(Duration timeout) {
        closed = true;
        try {
            boolean drained = inFlight.tryAcquire(config.maxInFlight(), timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!drained) {
                log.warn("{} messages still wait for the broker's confirm after {} ms", inFlight(), timeout.toMillis());
            }
            return drained;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        channels.close();
    }

    private static PublishFailure failureOf(BrokerException e) {
        return switch (e) {
            case InvalidRequestException x -> PublishFailure.INVALID;
            case ResourceNotFoundException x -> PublishFailure.NOT_FOUND;
            case OperationRefusedException x -> PublishFailure.REFUSED;
            case UnroutableMessageException x -> PublishFailure.UNROUTABLE;
            case MessageNackedException x -> PublishFailure.NACKED;
            case BrokerTimeoutException x -> PublishFailure.TIMEOUT;
            default -> PublishFailure.UNAVAILABLE;
        };
    }
}
