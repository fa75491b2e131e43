package io.queueservice.redrive;

import com.rabbitmq.client.Delivery;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.metrics.RedriveMetrics;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.publish.UnroutableMessageException;
import io.queueservice.validation.InvalidRequestException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One redrive: consumes a queue and republishes each message, acknowledging it in the queue only once the broker
 * confirmed the copy. So a crash at any moment (of the service, of the broker node) loses nothing: what was not
 * acknowledged goes back to the queue; a message whose copy was confirmed but whose acknowledgement was lost is
 * moved again: a duplicate.
 *
 * <p>One redrive per queue at a time, across every instance of the service: a redrive holds an exclusive
 * (connection-owned) lock queue, {@code qs.redrive.lock.<queue>}, which the broker removes when the connection
 * goes, and consumes the queue as an exclusive consumer (which RabbitMQ 3 enforces on classic queues only).
 *
 * <p>Outcomes per message: confirmed, it is acknowledged (moved). Refused for good (no queue would receive it, no
 * such exchange, no permission, no recorded origin), it goes back to the tail of the queue with why ({@link
 * RedriveHeaders}) and the original is acknowledged (failed). Not taken for now (broker unavailable, negative
 * confirm, confirm timeout), it is put back and tried again after a pause; after {@link #GIVE_UP_AFTER} without
 * progress the redrive fails. When its connection is lost, it waits for the connection to come back (as long) and
 * goes on.
 */
final class RedriveTask {
    private static final Logger log = LoggerFactory.getLogger(RedriveTask.class);

    /** Messages taken from the queue and not settled yet, at most (the consumer's prefetch). */
    static final int WINDOW = 50;

    /** How long a redrive keeps trying without moving a message, while the broker refuses or is away. */
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(60);

    private static final Duration IDLE_CHECK = Duration.ofSeconds(1);
    private static final String STREAM_OFFSET_HEADER = "x-stream-offset";

    private final String id;
    private final String queue;
    private final RedriveRequest request;
    private final BrokerConnection connection;
    private final Publisher publisher;
    private final Clock clock;
    private final RedrivePace pace;
    private final RedriveProgress progress;

    private volatile boolean cancelRequested;
    private RedriveSession session;

    RedriveTask(
            String id,
            String queue,
            RedriveRequest request,
            BrokerConnection connection,
            Publisher publisher,
            RedriveMetrics metrics,
            Clock clock) {
        this.id = id;
        this.queue = queue;
        this.request = request;
        this.connection = connection;
        this.publisher = publisher;
        this.clock = clock;
        this.progress = new RedriveProgress(id, queue, request, metrics, clock);
        this.pace = new RedrivePace(request.ratePerSecond(), () -> cancelRequested);
    }

    private String consumerTag() {
        return "qs-redrive-" + id;
    }

    String id() {
        return id;
    }

    String queue() {
        return queue;
    }

    RedriveStatus status() {
        return progress.status();
    }

    boolean isRunning() {
        return progress.isRunning();
    }

    void cancel() {
        cancelRequested = true;
    }

    /**
     * Takes the lock and starts consuming, in the caller's thread, so that a redrive that cannot start says why at
     * once.
     *
     * @throws ResourceNotFoundException when the queue does not exist
     * @throws ResourceConflictException when another redrive or another consumer has the queue
     * @throws io.queueservice.broker.BrokerUnavailableException when the broker cannot be reached
     */
    void open() {
        session = RedriveSession.open(connection, queue, consumerTag(), WINDOW);
        progress.started(Math.min(request.limit().orElse(Long.MAX_VALUE), session.readyAtStart()));
    }

    /** Moves the messages, in the calling thread, until done, cancelled or stopped by a problem. */
    void run() {
        RedriveState end;
        String why = null;
        try {
            end = moveAll();
        } catch (GiveUp e) {
            end = RedriveState.FAILED;
            why = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end = RedriveState.CANCELLED;
        } catch (RuntimeException e) {
            log.error("redrive {} of '{}' failed unexpectedly", id, queue, e);
            end = RedriveState.FAILED;
            why = "failed unexpectedly: " + e;
        } finally {
            if (session != null) {
                session.close();
            }
        }
        progress.finished(end, why);
    }

    private RedriveState moveAll() throws InterruptedException {
        while (true) {
            try {
                return drain(session);
            } catch (RedriveSession.Lost lost) {
                session.close();
                session = null;
                log.warn(
                        "redrive {} of '{}' lost its channel ({}); going on once reconnected",
                        id,
                        queue,
                        lost.getMessage());
                session = reopen();
                if (session == null) {
                    return RedriveState.CANCELLED;
                }
            }
        }
    }

    /** A new session once the broker is back, or null when cancelled meanwhile. */
    private RedriveSession reopen() throws InterruptedException {
        BrokerException last = null;
        while (!cancelRequested) {
            if (progress.stalledFor(GIVE_UP_AFTER)) {
                throw new GiveUp("the connection to the broker was lost, and the redrive could not go on within "
                        + GIVE_UP_AFTER.toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()));
            }
            try {
                return RedriveSession.open(connection, queue, consumerTag(), WINDOW);
            } catch (ResourceNotFoundException e) {
                throw new GiveUp("cannot go on after a reconnection: " + e.getMessage());
            } catch (BrokerException e) {
                // A conflict too: the consumer (and the lock) of the connection just lost stay until the broker
                // notices that connection is gone; another instance's stay, and end the redrive at the deadline.
                last = e;
                pace.sleep(RedrivePace.POLL.multipliedBy(5));
            }
        }
        return null;
    }

    private RedriveState drain(RedriveSession s) throws InterruptedException {
        Deque<InFlight> inFlight = new ArrayDeque<>();
        Instant idleSince = clock.instant();
        while (true) {
            while (!inFlight.isEmpty() && inFlight.peekFirst().result().isDone()) {
                settle(s, inFlight.pollFirst());
            }
            if (cancelRequested) {
                settleAll(s, inFlight);
                return RedriveState.CANCELLED;
            }
            long settled = progress.settled();
            long toMove = progress.toMove();
            if (settled >= toMove) {
                settleAll(s, inFlight);
                return RedriveState.COMPLETED;
            }
            if (settled + inFlight.size() >= toMove) {
                settle(s, inFlight.pollFirst()); // what is in flight may still be put back and need another go
                continue;
            }
            Object next = s.inbox.poll(RedrivePace.POLL.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) {
                if (inFlight.isEmpty()
                        && Duration.between(idleSince, clock.instant()).compareTo(IDLE_CHECK) >= 0) {
                    if (s.readyMessages() == 0) {
                        return RedriveState.COMPLETED; // emptied by others (expiry, a purge) before all were moved
                    }
                    idleSince = clock.instant();
                }
                continue;
            }
            if (next == RedriveSession.LOST) {
                throw new RedriveSession.Lost("the channel was closed");
            }
            if (next == RedriveSession.CANCELLED_BY_BROKER) {
                throw new GiveUp("the broker cancelled the consumer: queue '" + queue + "' was deleted");
            }
            idleSince = clock.instant();
            Delivery d = (Delivery) next;
            Map<String, Object> headers = d.getProperties().getHeaders();
            if (headers != null && headers.containsKey(STREAM_OFFSET_HEADER)) {
                s.requeue(d);
                throw new GiveUp("queue '" + queue + "' is a stream: its messages are never removed, so they cannot be"
                        + " moved; consume it from an offset instead");
            }
            if (RedriveHeaders.putBackBy(d.getProperties(), id)) {
                s.requeue(d); // gone round the whole queue: what is left was there before, or failed
                settleAll(s, inFlight);
                return RedriveState.COMPLETED;
            }
            if (!pace.awaitTurn()) {
                s.requeue(d);
                continue; // cancelled: handled above
            }
            switch (RedriveTarget.of(request, queue, headers)) {
                case RedriveTarget.Unmovable u -> putBack(s, d, u.why());
                case RedriveTarget.To to -> {
                    OutgoingMessage copy = new OutgoingMessage(
                            to.address().exchange(),
                            to.address().routingKey(),
                            d.getBody(),
                            RedriveHeaders.redriven(d.getProperties(), queue, clock.instant()),
                            true);
                    inFlight.addLast(new InFlight(d, publishQuietly(copy)));
                }
            }
            while (inFlight.size() >= WINDOW) {
                settle(s, inFlight.pollFirst());
            }
        }
    }

    private CompletableFuture<Void> publishQuietly(OutgoingMessage m) {
        try {
            return publisher.publish(m);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void settleAll(RedriveSession s, Deque<InFlight> inFlight) throws InterruptedException {
        while (!inFlight.isEmpty()) {
            settle(s, inFlight.pollFirst());
        }
    }

    /** Waits for the copy's confirm (the publisher bounds the wait), then acknowledges, puts back or retries. */
    private void settle(RedriveSession s, InFlight f) throws InterruptedException {
        Throwable failure = outcome(f.result());
        if (failure == null) {
            s.ack(f.delivery());
            progress.moved();
            pace.progressed();
            return;
        }
        BrokerException e = BrokerErrors.translate(failure);
        if (refusedForGood(e)) {
            putBack(s, f.delivery(), e.getMessage());
            return;
        }
        s.requeue(f.delivery());
        if (progress.stalledFor(GIVE_UP_AFTER)) {
            throw new GiveUp("the broker has not taken a message for " + GIVE_UP_AFTER.toSeconds() + " s; last: "
                    + e.getMessage());
        }
        Duration paused = pace.backOff();
        log.debug("redrive {} of '{}': a message was not taken ({}); paused {} ms", id, queue, e, paused.toMillis());
    }

    private static boolean refusedForGood(BrokerException e) {
        return e instanceof UnroutableMessageException
                || e instanceof ResourceNotFoundException
                || e instanceof OperationRefusedException
                || e instanceof InvalidRequestException;
    }

    /**
     * Puts a message that cannot be moved back at the tail of the queue with why, then acknowledges the original.
     *
     * @throws GiveUp when even that fails (the original is put back as it was)
     */
    private void putBack(RedriveSession s, Delivery d, String why) throws InterruptedException {
        OutgoingMessage copy = new OutgoingMessage(
                "", queue, d.getBody(), RedriveHeaders.failed(d.getProperties(), id, why, clock.instant()), true);
        Throwable failure = outcome(publishQuietly(copy));
        if (failure != null) {
            s.requeue(d);
            throw new GiveUp("a message that could not be moved (" + why + ") could not be put back at the tail of"
                    + " the queue either: " + BrokerErrors.translate(failure).getMessage());
        }
        s.ack(d);
        progress.failed();
        pace.progressed();
    }

    /** The future's failure once it is done, or null when it succeeded. */
    private static Throwable outcome(CompletableFuture<Void> result) throws InterruptedException {
        try {
            result.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
        }
    }

    private record InFlight(Delivery delivery, CompletableFuture<Void> result) {}
}
