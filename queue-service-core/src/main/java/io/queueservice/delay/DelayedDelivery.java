package io.queueservice.delay;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.broker.AmqpNames;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.Topology;
import io.queueservice.metrics.DelayMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delayed delivery: messages wait in RabbitMQ, in binary delay levels (see {@link DelayLevels}), and are
 * delivered to their exchange with their routing key, body, properties and headers once due, plus the header
 * {@value #DUE_AT_HEADER}. Nothing waits in the service's memory longer than a second.
 *
 * <pre>{@code
 * DelayedDelivery delays = DelayedDelivery.start(connection, publisher, config, metrics);
 * connection.start();
 * ScheduledMessage s = delays.schedule(message, Duration.ofSeconds(30)); // validates, addresses it to the levels
 * publisher.publish(s.message()).thenApply(v -> s.deliverAt());           // confirmed: durably scheduled
 * }</pre>
 *
 * <p>Each instance, on each connection: declares the delay topology (idempotently), then runs a dispatcher
 * that consumes the due queue and publishes every message to its target when due (see {@link
 * DelayDispatcher}); the dispatchers of all instances compete for the due messages, so any one running is
 * enough, and one that dies leaves its messages to the others. Thread-safe.
 */
public final class DelayedDelivery implements BrokerConnection.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DelayedDelivery.class);

    /** The header a delayed message is delivered with: when it was due (ISO-8601, UTC). */
    public static final String DUE_AT_HEADER = DelayEnvelope.DUE_AT;

    private static final Duration RETRY_SOON = Duration.ofMillis(100);
    private static final Duration MAX_RETRY_SOON = Duration.ofSeconds(5);
    private static final Duration RETRY_AFTER_CONFLICT = Duration.ofSeconds(30);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final BrokerConnection connection;
    private final DelayConfig config;
    private final DelayLevels levels;
    private final Topology topology;
    private final ConfirmingPublisher publisher;
    private final DelayDispatcher dispatcher;
    private final Clock clock;
    /** Declares and subscribes, one step at a time; a scheduled retry never overlaps another. */
    private final ScheduledExecutorService control;
    /** The dispatcher's waits and retries. */
    private final ScheduledExecutorService timer;

    private final CompletableFuture<Void> firstDeclared = new CompletableFuture<>();
    private volatile String unavailable = "the delay queues are not declared yet";
    private volatile boolean closed;
    /** Touched on the control thread only. */
    private Duration retryPause = RETRY_SOON;

    private DelayedDelivery(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            DelayConfig config,
            DelayMetrics metrics,
            Clock clock) {
        this.connection = connection;
        this.publisher = publisher;
        this.config = config;
        this.levels = config.levels();
        this.clock = clock;
        this.topology = new Topology(connection);
        this.control = Executors.newSingleThreadScheduledExecutor(daemon("delay-control"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("delay-dispatch"));
        this.dispatcher = new DelayDispatcher(
                publisher, levels, metrics, clock, timer, () -> onControl(this::setUp, RETRY_AFTER));
    }

    /**
     * Sets up delayed delivery on {@code connection}: whenever it connects (now, if it is connected), the
     * delay topology is declared and the dispatcher consumes the due queue.
     *
     * @param connection a connection of its own is best (the dispatcher consumes on it; declaring and
     *     consuming there never waits behind publishers the broker blocked); started by the caller, before or
     *     after this call
     * @param publisher publishes due messages to their targets; also the one {@link #publish} uses
     */
    public static DelayedDelivery start(
            BrokerConnection connection, ConfirmingPublisher publisher, DelayConfig config, DelayMetrics metrics) {
        return start(connection, publisher, config, metrics, Clock.systemUTC());
    }

    static DelayedDelivery start(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            DelayConfig config,
            DelayMetrics metrics,
            Clock clock) {
        DelayedDelivery d = new DelayedDelivery(connection, publisher, config, metrics, clock);
        connection.addListener(d);
        d.onControl(d::setUp, Duration.ZERO);
        return d;
    }

    public DelayConfig config() {
        return config;
    }

    /** The names of the delay exchanges and queues. */
    public DelayLevels levels() {
        return levels;
    }

    /**
     * The message addressed to the delay levels, due {@code delay} from now; publish {@link
     * ScheduledMessage#message()} with the {@link ConfirmingPublisher}: once confirmed, it is scheduled.
     *
     * @throws InvalidRequestException when the delay is negative or longer than {@link DelayConfig#maxDelay()}
     *     (a violation on the field {@value DelayConfig#DELAY_FIELD}), or the exchange or routing key is longer
     *     than AMQP allows (fields {@code exchange}, {@code routingKey})
     * @throws BrokerUnavailableException while the delay topology is not declared (starting, broker
     *     unreachable since, or a declaration refused: see {@link #unavailableReason()})
     */
    public ScheduledMessage schedule(OutgoingMessage message, Duration delay) {
        List<Violation> v = new ArrayList<>();
        config.checkDelay(delay).ifPresent(v::add);
        // The target travels in headers and is published to only when due: check now what can be checked.
        AmqpNames.checkShortString("exchange", message.exchange(), v);
        AmqpNames.checkShortString("routingKey", message.routingKey(), v);
        InvalidRequestException.throwIfAny(v);
        if (unavailable != null) {
            // The reason itself may quote the broker: it goes to readiness and the logs, not to callers.
            throw new BrokerUnavailableException(
                    "delayed delivery is not available now: its queues are not declared yet, or their declaration"
                            + " failed (see the service's logs)",
                    RETRY_AFTER);
        }
        return DelayEnvelope.wrap(levels, message, delay, clock.instant());
    }

    /**
     * {@link #schedule} and publish in one: completed once the broker confirmed the scheduled message, or
     * exceptionally as {@link #schedule} throws and {@link ConfirmingPublisher#publish} fails (with the
     * exchange of the delay levels: the target's existence is checked when the message comes due).
     */
    public CompletableFuture<ScheduledMessage> publish(OutgoingMessage message, Duration delay) {
        ScheduledMessage s;
        try {
            s = schedule(message, delay);
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
        return publisher.publish(s.message()).thenApply(v -> s);
    }

    /** Completed once the delay topology was declared for the first time. */
    public CompletableFuture<Void> whenReady() {
        return firstDeclared.copy();
    }

    /**
     * Why delayed messages cannot be scheduled now, or empty when they can: the topology is not declared yet,
     * or its declaration was refused (a queue of the same name with another type, say). Meant for readiness
     * and logs: it never holds broker internals beyond the name of the queue or exchange at fault.
     */
    public Optional<String> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    /** Whether this instance's dispatcher consumes the due queue now. */
    public boolean dispatching() {
        return dispatcher.consuming();
    }

    @Override
    public void connected(Connection c) {
        onControl(this::setUp, Duration.ZERO);
    }

    @Override
    public void disconnected(ShutdownSignalException cause) {
        dispatcher.lost();
    }

    /** Declares the topology, then consumes the due queue; retried while the connection is not usable yet. */
    private void setUp() {
        if (closed || dispatcher.consuming()) {
            return;
        }
        try {
            DelayTopology.declare(topology, config);
            if (unavailable != null) {
                log.info(
                        "delay queues declared ({} levels, {} queues, '{}.*')",
                        DelayLevels.LEVELS,
                        config.queueType().amqpName(),
                        levels.prefix());
            }
            unavailable = null;
            retryPause = RETRY_SOON;
            firstDeclared.complete(null);
            dispatcher.subscribe(connection.require());
        } catch (BrokerUnavailableException e) {
            // Not connected (yet). The connection that called connected() becomes current only a moment after
            // the call, so this is retried, less often while the broker stays away.
            if (connection.state() != BrokerConnection.State.CLOSED) {
                Duration pause = retryPause;
                retryPause =
                        pause.multipliedBy(2).compareTo(MAX_RETRY_SOON) > 0 ? MAX_RETRY_SOON : pause.multipliedBy(2);
                onControl(this::setUp, pause);
            }
        } catch (BrokerException e) {
            unavailable = "the delay queues could not be declared (" + e.getMessage() + ")";
            log.error(
                    "delayed delivery is unavailable: {}; trying again in {} s",
                    unavailable,
                    RETRY_AFTER_CONFLICT.toSeconds());
            onControl(this::setUp, RETRY_AFTER_CONFLICT);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot consume '{}' now ({}); trying again", levels.dueQueue(), e.toString());
            onControl(this::setUp, RETRY_AFTER);
        }
    }

    private void onControl(Runnable task, Duration after) {
        try {
            control.schedule(task, after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /**
     * Stops dispatching: lets the copies already sent be confirmed (at most {@code timeout}); every message
     * held and not sent goes back to the due queue for another dispatcher, or this one after a restart.
     */
    public void close(Duration timeout) {
        closed = true;
        connection.removeListener(this);
        control.shutdownNow();
        dispatcher.close(timeout);
        timer.shutdownNow();
    }

    /** {@link #close(Duration)} with 5 seconds. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
