package io.queueservice.publish;

import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceNotFoundException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Decides whether a message may share the publishing channels.
 *
 * <p>The broker answers a publish to an exchange that does not exist, is internal, or is not writable
 * for this user by closing the channel, which would fail every other message in flight on it. So the
 * first publish to an exchange goes alone, on a channel of its own, and other publishes to the same
 * exchange wait for its outcome: when it went through (the channel survived), the exchange is proven
 * ({@link KnownExchanges}) and they share the channels; when the exchange was refused (missing, internal,
 * forbidden), they get the same answer; when the first timed out, they are not sent (a second wait would
 * outlast the request timeout); when the first failed for a reason of its own, one of them goes first in
 * turn.
 */
final class FirstPublishGate {
    /** Channels open at once for first publishes: each costs the broker a channel. */
    private static final int MAX_ALONE = 64;

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final KnownExchanges knownExchanges;
    private final Function<OutgoingMessage, CompletableFuture<Void>> shared;
    private final Function<OutgoingMessage, CompletableFuture<Void>> alone;
    private final Executor waiters;
    private final Semaphore aloneSlots = new Semaphore(MAX_ALONE);
    /** First publishes in progress, by exchange. */
    private final Map<String, CompletableFuture<Void>> firstPublishes = new ConcurrentHashMap<>();

    /**
     * @param shared sends a message on the shared channels
     * @param alone sends a message on a channel of its own
     * @param waiters runs the waiting publishes once the first one is settled; not the connection's
     *     reader thread, where confirms complete: opening a channel there would wait for itself
     */
    FirstPublishGate(
            KnownExchanges knownExchanges,
            Function<OutgoingMessage, CompletableFuture<Void>> shared,
            Function<OutgoingMessage, CompletableFuture<Void>> alone,
            Executor waiters) {
        this.knownExchanges = knownExchanges;
        this.shared = shared;
        this.alone = alone;
        this.waiters = waiters;
    }

    CompletableFuture<Void> send(OutgoingMessage m) {
        String exchange = m.exchange();
        if (knownExchanges.isProven(exchange)) {
            return shared.apply(m);
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> first = firstPublishes.putIfAbsent(exchange, mine);
        if (first != null) {
            return first.handle((ok, failure) -> failure).thenComposeAsync(failure -> afterFirst(m, failure), waiters);
        }
        sendAlone(m).whenComplete((ok, failure) -> {
            if (failure == null
                    || failure instanceof UnroutableMessageException
                    || failure instanceof MessageNackedException) {
                knownExchanges.proven(exchange); // the channel survived it
            }
            firstPublishes.remove(exchange, mine);
            if (failure == null) {
                mine.complete(null);
            } else {
                mine.completeExceptionally(failure);
            }
        });
        return mine;
    }

    private CompletableFuture<Void> sendAlone(OutgoingMessage m) {
        if (!aloneSlots.tryAcquire()) {
            return CompletableFuture.failedFuture(new BrokerUnavailableException(
                    "too many publishes to exchanges not yet proven are in progress", RETRY_AFTER));
        }
        try {
            return alone.apply(m).whenComplete((ok, failure) -> aloneSlots.release());
        } catch (RuntimeException e) {
            aloneSlots.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Void> afterFirst(OutgoingMessage m, Throwable firstFailure) {
        Throwable t =
                firstFailure instanceof CompletionException c && c.getCause() != null ? c.getCause() : firstFailure;
        if (t instanceof ResourceNotFoundException || t instanceof OperationRefusedException r && r.forbidden()) {
            return CompletableFuture.failedFuture(t); // a verdict on the exchange: the same for this message
        }
        if (knownExchanges.isProven(m.exchange())) {
            try {
                return shared.apply(m);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        if (t instanceof BrokerTimeoutException) {
            // A second wait could outlast the request timeout.
            return CompletableFuture.failedFuture(new BrokerUnavailableException(
                    "could not learn in time whether the exchange takes messages; this one was not sent", RETRY_AFTER));
        }
        // The first one failed for a reason of its own (its content, a full outbox, a channel it lost):
        // that says nothing about the exchange, so this one goes as a first publish in turn.
        return send(m);
    }
}
