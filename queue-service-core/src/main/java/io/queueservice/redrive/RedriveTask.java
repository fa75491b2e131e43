package io.queueservice.redrive;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.deadletters.Failure;
import io.queueservice.deadletters.Failure.Address;
import io.queueservice.metrics.RedriveMetrics;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.publish.UnroutableMessageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration IDLE_CHECK = Duration.ofSeconds(1);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);
    private static final String LOCK_PREFIX = "qs.redrive.lock.";
    private static final String STREAM_OFFSET_HEADER = "x-stream-offset";

    /** Put in the inbox by the consumer when its channel is gone. */
    private static final Object LOST = new Object();
    /** Put in the inbox when the broker cancelled the consumer (the queue was deleted). */
    private static final Object CANCELLED_BY_BROKER = new Object();

    private final String id;
    private final String queue;
    private final RedriveRequest request;
    private final BrokerConnection connection;
    private final Publisher publisher;
    private final RedriveMetrics metrics;
    private final Clock clock;
    private final Bucket pace;

    private final AtomicLong moved = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Instant startedAt;
    private volatile long toMove;
    private volatile RedriveState state = RedriveState.RUNNING;
    private volatile Instant finishedAt;
    private volatile String reason;
    private volatile boolean cancelRequested;

    private Session session;
    private Instant lastProgress;
    private Duration pause = FIRST_PAUSE;

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
        this.metrics = metrics;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.lastProgress = startedAt;
        int rate = request.ratePerSecond();
        // A tenth of a second's worth at once at most, so the rate holds over short spans too.
        this.pace = Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(Math.max(1, rate / 10))
                        .refillGreedy(rate, Duration.ofSeconds(1))
                        .build())
                .build();
    }

    String id() {
        return id;
    }

    String queue() {
        return queue;
    }

    RedriveStatus status() {
        return new RedriveStatus(
                id,
                queue,
                state,
                moved.get(),
                failed.get(),
                toMove,
                startedAt,
                Optional.ofNullable(finishedAt),
                Optional.ofNullable(reason),
                request);
    }

    boolean isRunning() {
        return state == RedriveState.RUNNING;
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
        session = Session.open(this, true);
        metrics.started();
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
        reason = why;
        finishedAt = clock.instant();
        state = end;
        metrics.finished(end.name().toLowerCase(Locale.ROOT));
        log.info(
                "redrive {} of '{}' {}: {} moved, {} failed, {} to move{}",
                id,
                queue,
                end.name().toLowerCase(Locale.ROOT),
                moved.get(),
                failed.get(),
                toMove,
                why == null ? "" : "; " + why);
    }

    private RedriveState moveAll() throws InterruptedException {
        while (true) {
            try {
                return drain(session);
            } catch (Lost lost) {
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
    private Session reopen() throws InterruptedException {
        BrokerException last = null;
        while (!cancelRequested) {
            if (Duration.between(lastProgress, clock.instant()).compareTo(GIVE_UP_AFTER) > 0) {
                throw new GiveUp("the connection to the broker was lost, and the redrive could not go on within "
                        + GIVE_UP_AFTER.toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()));
            }
            try {
                return Session.open(this, false);
            } catch (ResourceNotFoundException e) {
                throw new GiveUp("cannot go on after a reconnection: " + e.getMessage());
            } catch (BrokerException e) {
                // A conflict too: the consumer (and the lock) of the connection just lost stay until the broker
                // notices that connection is gone; another instance's stay, and end the redrive at the deadline.
                last = e;
                TimeUnit.MILLISECONDS.sleep(POLL.toMillis() * 5);
            }
        }
        return null;
    }

    private RedriveState drain(Session s) throws InterruptedException {
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
            long settled = moved.get() + failed.get();
            if (settled >= toMove) {
                settleAll(s, inFlight);
                return RedriveState.COMPLETED;
            }
            if (settled + inFlight.size() >= toMove) {
                settle(s, inFlight.pollFirst()); // what is in flight may still be put back and need another go
                continue;
            }
            Object next = s.inbox.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
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
            if (next == LOST) {
                throw new Lost("the channel was closed");
            }
            if (next == CANCELLED_BY_BROKER) {
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
            if (!awaitTurn()) {
                s.requeue(d);
                continue; // cancelled: handled above
            }
            Optional<Address> target =
                    request.destination().or(() -> Failure.decode(headers).flatMap(Failure::original));
            if (target.isEmpty()) {
                putBack(s, d, "its headers record no original exchange and routing key: give a destination");
                continue;
            }
            if (target.get().exchange().isEmpty() && target.get().routingKey().equals(queue)) {
                putBack(s, d, "its original address is this queue itself: give a destination");
                continue;
            }
            OutgoingMessage copy = new OutgoingMessage(
                    target.get().exchange(),
                    target.get().routingKey(),
                    d.getBody(),
                    RedriveHeaders.redriven(d.getProperties(), queue, clock.instant()),
                    true);
            inFlight.addLast(new InFlight(d, publishQuietly(copy)));
            while (inFlight.size() >= WINDOW) {
                settle(s, inFlight.pollFirst());
            }
        }
    }

    /** Waits for the rate limit to allow one more message; false when cancelled meanwhile. */
    private boolean awaitTurn() throws InterruptedException {
        while (!cancelRequested) {
            if (pace.asBlocking().tryConsume(1, POLL)) {
                return true;
            }
        }
        return false;
    }

    private CompletableFuture<Void> publishQuietly(OutgoingMessage m) {
        try {
            return publisher.publish(m);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void settleAll(Session s, Deque<InFlight> inFlight) throws InterruptedException {
        while (!inFlight.isEmpty()) {
            settle(s, inFlight.pollFirst());
        }
    }

    /** Waits for the copy's confirm (the publisher bounds the wait), then acknowledges, puts back or retries. */
    private void settle(Session s, InFlight f) throws InterruptedException {
        Throwable failure = outcome(f.result());
        if (failure == null) {
            s.ack(f.delivery());
            moved.incrementAndGet();
            metrics.moved();
            progressed();
            return;
        }
        BrokerException e = BrokerErrors.translate(failure);
        if (refusedForGood(e)) {
            putBack(s, f.delivery(), e.getMessage());
            return;
        }
        s.requeue(f.delivery());
        if (Duration.between(lastProgress, clock.instant()).compareTo(GIVE_UP_AFTER) > 0) {
            throw new GiveUp("the broker has not taken a message for " + GIVE_UP_AFTER.toSeconds() + " s; last: "
                    + e.getMessage());
        }
        log.debug("redrive {} of '{}': a message was not taken ({}); pausing {} ms", id, queue, e, pause.toMillis());
        pauseFor(pause);
        pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
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
    private void putBack(Session s, Delivery d, String why) throws InterruptedException {
        OutgoingMessage copy = new OutgoingMessage(
                "", queue, d.getBody(), RedriveHeaders.failed(d.getProperties(), id, why, clock.instant()), true);
        Throwable failure = outcome(publishQuietly(copy));
        if (failure != null) {
            s.requeue(d);
            throw new GiveUp("a message that could not be moved (" + why + ") could not be put back at the tail of"
                    + " the queue either: " + BrokerErrors.translate(failure).getMessage());
        }
        s.ack(d);
        failed.incrementAndGet();
        metrics.failed();
        progressed();
    }

    private void progressed() {
        lastProgress = clock.instant();
        pause = FIRST_PAUSE;
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

    private void pauseFor(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (!cancelRequested && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(
                    Math.min(POLL.toMillis(), Math.max(1, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    /** The exclusive lock queue of a queue: its name with a prefix, or a digest of it when that is too long. */
    static String lockName(String queue) {
        String plain = LOCK_PREFIX + queue;
        if (plain.getBytes(StandardCharsets.UTF_8).length <= 255) {
            return plain;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(queue.getBytes(StandardCharsets.UTF_8));
            return LOCK_PREFIX + "sha256." + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private record InFlight(Delivery delivery, CompletableFuture<Void> result) {}

    /** The redrive cannot go on; its message is the reason. */
    private static final class GiveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;

        GiveUp(String message) {
            super(message, null, false, false);
        }
    }

    /** The session's channel is gone (its connection, most often). */
    private static final class Lost extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Lost(String message) {
            super(message, null, false, false);
        }
    }

    /** The lock, the channel and the consumer of one connection. */
    private static final class Session {
        final Channel lock;
        final Channel channel;
        final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        private final String queue;

        private Session(Channel lock, Channel channel, String queue) {
            this.lock = lock;
            this.channel = channel;
            this.queue = queue;
        }

        static Session open(RedriveTask task, boolean first) {
            Channel lock = null;
            Channel channel = null;
            try {
                Connection c = task.connection.require();
                lock = c.createChannel();
                try {
                    lock.queueDeclare(lockName(task.queue), false, true, true, Map.of("x-queue-type", "classic"));
                } catch (IOException e) {
                    throw conflictOr(e, "a redrive of queue '" + task.queue + "' is running on another instance");
                }
                channel = c.createChannel();
                AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(task.queue);
                if (ok.getConsumerCount() > 0) {
                    throw new ResourceConflictException(
                            "queue '" + task.queue + "' has " + ok.getConsumerCount() + " consumer(s): a redrive would"
                                    + " compete with them for its messages; stop them first",
                            null);
                }
                if (first) {
                    task.toMove = Math.min(task.request.limit().orElse(Long.MAX_VALUE), ok.getMessageCount());
                }
                Session s = new Session(lock, channel, task.queue);
                channel.basicQos(WINDOW);
                try {
                    channel.basicConsume(
                            task.queue, false, "qs-redrive-" + task.id, false, true, Map.of(), s.consumer());
                } catch (IOException e) {
                    throw conflictOr(e, "queue '" + task.queue + "' is consumed by another consumer");
                }
                return s;
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                closeQuietly(lock);
                throw BrokerErrors.translate(e);
            }
        }

        /** The broker's refusal of an exclusive declaration or consumer, said as a conflict. */
        private static BrokerException conflictOr(IOException e, String conflict) {
            BrokerException b = BrokerErrors.translate(e);
            return b instanceof ResourceConflictException || b instanceof OperationRefusedException r && r.forbidden()
                    ? new ResourceConflictException(conflict, null)
                    : b;
        }

        private DefaultConsumer consumer() {
            return new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(
                        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                    inbox.add(new Delivery(envelope, properties, body));
                }

                @Override
                public void handleCancel(String consumerTag) {
                    inbox.add(CANCELLED_BY_BROKER);
                }

                @Override
                public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
                    inbox.add(LOST);
                }
            };
        }

        long readyMessages() {
            try {
                return channel.queueDeclarePassive(queue).getMessageCount();
            } catch (IOException | RuntimeException e) {
                throw new Lost(e.toString());
            }
        }

        void ack(Delivery d) {
            try {
                channel.basicAck(d.getEnvelope().getDeliveryTag(), false);
            } catch (IOException | RuntimeException e) {
                throw new Lost(e.toString());
            }
        }

        void requeue(Delivery d) {
            try {
                channel.basicNack(d.getEnvelope().getDeliveryTag(), false, true);
            } catch (IOException | RuntimeException e) {
                throw new Lost(e.toString());
            }
        }

        /**
         * Closes the channel (what it holds unacknowledged goes back to the queue) and releases the lock: the lock
         * queue belongs to the connection, which stays, so it is deleted.
         */
        void close() {
            closeQuietly(channel);
            if (lock.isOpen()) {
                try {
                    lock.queueDelete(lockName(queue));
                } catch (IOException | RuntimeException ignored) {
                    // the connection is gone, and the broker removed the lock with it
                }
            }
            closeQuietly(lock);
        }

        private static void closeQuietly(Channel ch) {
            if (ch != null && ch.isOpen()) {
                try {
                    ch.close();
                } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException ignored) {
                    // gone already
                }
            }
        }
    }
}
