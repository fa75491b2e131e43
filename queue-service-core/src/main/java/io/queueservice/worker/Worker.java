package io.queueservice.worker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import com.rabbitmq.client.ShutdownSignalException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.config.BreakerConfig;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue: hands each message to the handler and acts on its {@link Outcome} exactly once.
 *
 * <ul>
 *   <li>Manual acknowledgements, {@code prefetch} messages ahead per consumer, {@code concurrency}
 *       consumers, each on its own channel, handling one message at a time: with a {@link MessageHandler},
 *       on a thread of its own for as long as the handler runs; with an {@link AsyncMessageHandler}, without
 *       holding a thread while the outcome is awaited, and acknowledging runs of messages at once.
 *   <li>Retry: a copy goes to the retry queue of the next backoff step (see {@link RetrySchedule}) with
 *       the attempt count in {@link FailureHeaders#ATTEMPT}; the original is acknowledged only once the
 *       broker confirmed the copy, so a failure in between redelivers it rather than losing it.
 *   <li>Dead-letter: after {@code MAX_RETRIES} retries, when the handler says so, or for a permanent
 *       exception type, a copy goes to {@code <queue>.dlq} with {@link FailureHeaders} saying why.
 *   <li>Circuit breaker: when too many recent messages failed, the worker cancels its consumers, so the
 *       messages wait in the queue with their attempt counts unchanged instead of burning retries; after
 *       the wait it consumes again to probe, and goes on when the downstream is back.
 *   <li>The connection is the worker's {@link BrokerConnection}: when it comes back after a loss, the
 *       consumers are created again; messages that were not acknowledged are redelivered by the broker.
 * </ul>
 *
 * <p>This class runs the consumers (when to consume, with how many, stopping); handling a message is {@link
 * MessageProcessor}'s job, and acting on its outcome {@link OutcomeRouter}'s.
 */
public final class Worker implements BrokerConnection.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final BrokerConnection connection;
    private final String queue;
    private final WorkerOptions options;
    private final WorkerMetrics metrics;
    private final CircuitBreaker breaker;
    private final MessageProcessor processor;
    /** Makes the consumer of a channel. */
    private final Function<Channel, Consumer> newConsumer;
    /** Touched on the control thread only. */
    private final Consumers consumers;
    /** The acknowledgements of each channel of an asynchronous handler's consumers; the control thread only. */
    private final Map<Channel, GroupedAcknowledger> acknowledgers = new HashMap<>();
    /** Starts and stops consumers: one thread, so they never race with each other. */
    private final ExecutorService control;

    private final Object idle = new Object();
    private int busy; // consumers handling messages, guarded by idle
    private volatile boolean stopped;
    private volatile boolean paused;

    Worker(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            String queue,
            MessageHandler handler,
            WorkerOptions options,
            WorkerMetrics metrics) {
        this(connection, publisher, queue, options, metrics, (w, ch) -> new QueueConsumer(ch, w, w.processor, handler));
    }

    Worker(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            String queue,
            AsyncMessageHandler handler,
            WorkerOptions options,
            WorkerMetrics metrics) {
        this(connection, publisher, queue, options, metrics, (w, ch) -> w.asyncConsumer(ch, handler));
    }

    private Worker(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            String queue,
            WorkerOptions options,
            WorkerMetrics metrics,
            BiFunction<Worker, Channel, Consumer> consumerOf) {
        this.connection = connection;
        this.queue = queue;
        this.options = options;
        this.metrics = metrics;
        this.breaker = circuitBreaker(queue, options.breaker());
        OutcomeRouter router = new OutcomeRouter(queue, new RetrySchedule(queue, options.retry()), publisher, metrics);
        this.processor = new MessageProcessor(queue, options.permanentFailures(), breaker, router, metrics);
        this.newConsumer = ch -> consumerOf.apply(this, ch);
        this.consumers = new Consumers(queue);
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "worker-" + queue);
            t.setDaemon(true);
            return t;
        });
        breaker.getEventPublisher()
                .onStateTransition(e -> onBreaker(e.getStateTransition().getToState()));
        metrics.workerStarted(queue);
        metrics.circuitState(queue, "closed");
    }

    private static CircuitBreaker circuitBreaker(String queue, BreakerConfig config) {
        return CircuitBreaker.of(
                "worker-" + queue,
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(config.failureRatePercent())
                        .minimumNumberOfCalls(config.minimumCalls())
                        .slidingWindowSize(config.windowSize())
                        .waitDurationInOpenState(config.openWait())
                        .automaticTransitionFromOpenToHalfOpenEnabled(true) // no calls arrive while paused
                        .permittedNumberOfCallsInHalfOpenState(1) // one probe, on one consumer with prefetch 1
                        .recordException(e -> true)
                        .build());
    }

    /** Runs on the control thread, unless the worker is closed. */
    private void onControl(Runnable task) {
        try {
            control.execute(task);
        } catch (RejectedExecutionException e) {
            // closed: nothing to start or stop any more
        }
    }

    /** Starts consuming now if connected, and again after every reconnection. */
    void start() {
        connection.addListener(this);
        onControl(() -> {
            try {
                subscribe(connection.require());
            } catch (RuntimeException e) {
                log.info("worker for '{}' will start consuming once connected", queue);
            }
        });
    }

    public String queue() {
        return queue;
    }

    /**
     * Stops taking messages until {@link #resume()}: the consumers are cancelled, handlers in flight finish, and
     * what was delivered ahead goes back to the queue, attempt counts unchanged. For a handler that learns its
     * downstream is gone for now (it returns {@link Outcome#requeue()} for the message in hand). Idempotent.
     */
    public void pause() {
        if (!paused) {
            paused = true;
            log.info("worker for '{}' paused", queue);
            onControl(consumers::cancel);
        }
    }

    /** Takes messages again after {@link #pause()}. Idempotent. */
    public void resume() {
        if (paused) {
            paused = false;
            log.info("worker for '{}' resumed", queue);
            onControl(() -> {
                try {
                    subscribe(connection.require());
                } catch (RuntimeException e) {
                    log.debug("cannot consume '{}' now: {}", queue, e.toString());
                }
            });
        }
    }

    public boolean isPaused() {
        return paused;
    }

    /** Closed, open or half-open. */
    public CircuitBreaker.State circuitState() {
        return breaker.getState();
    }

    @Override
    public void connected(Connection c) {
        onControl(() -> subscribe(c));
    }

    @Override
    public void disconnected(ShutdownSignalException cause) {
        onControl(() -> {
            consumers.forget(); // they died with the connection
            acknowledgers.clear();
        });
    }

    private void onBreaker(CircuitBreaker.State to) {
        String state = switch (to) {
            case OPEN, FORCED_OPEN -> "open";
            case HALF_OPEN -> "half_open";
            default -> "closed";
        };
        metrics.circuitState(queue, state);
        log.warn("circuit breaker of worker '{}' is now {}", queue, state);
        // Open: stop consuming. Half open: one consumer, one message at a time, to probe. Closed: all of them.
        onControl(() -> {
            consumers.cancel();
            try {
                subscribe(connection.require());
            } catch (RuntimeException e) {
                log.debug("cannot consume '{}' now: {}", queue, e.toString());
            }
        });
    }

    /** Starts the consumers the breaker's state allows, on the channels (opened when missing). */
    private void subscribe(Connection c) {
        CircuitBreaker.State state = breaker.getState();
        if (stopped || paused || consumers.consuming() || state == CircuitBreaker.State.OPEN) {
            return;
        }
        boolean probe = state == CircuitBreaker.State.HALF_OPEN;
        int count = probe ? 1 : options.concurrency();
        int prefetch = probe ? 1 : options.prefetch();
        try {
            consumers.start(c, count, prefetch, newConsumer);
            log.info("consuming '{}' with {} consumer(s), prefetch {}", queue, count, prefetch);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot consume '{}': {}", queue, e.toString());
            consumers.cancel();
        }
    }

    /** The consumer of a channel, for an asynchronous handler (on the control thread). */
    private Consumer asyncConsumer(Channel channel, AsyncMessageHandler handler) {
        // Half the prefetch window at most held back: the broker keeps the other half coming meanwhile.
        int maxHeld = Math.max(1, options.prefetch() / 2);
        acknowledgers.keySet().removeIf(ch -> !ch.isOpen()); // closed on an error: a new one replaces it
        GroupedAcknowledger acknowledger =
                acknowledgers.computeIfAbsent(channel, c -> new GroupedAcknowledger(c, maxHeld));
        return new AsyncQueueConsumer(channel, this, processor, handler, acknowledger);
    }

    /** Whether deliveries are handled now (rather than handed back: stopping or paused). */
    boolean taking() {
        return !stopped && !paused;
    }

    /** A consumer started handling messages: {@link #close()} waits for it to be done with them. */
    void handling() {
        synchronized (idle) {
            busy++;
        }
    }

    /** A consumer settled every message it took. */
    void idle() {
        synchronized (idle) {
            busy--;
            idle.notifyAll();
        }
    }

    /**
     * Stops taking messages, lets handlers in flight finish (at most {@code stopTimeout}), then closes the
     * consumers; what was not handled goes back to the queue.
     */
    @Override
    public synchronized void close() {
        if (control.isShutdown()) {
            return; // closed already (by its client, say)
        }
        stopped = true;
        connection.removeListener(this);
        try {
            control.submit(consumers::cancel).get(); // no new deliveries; channels stay open for the acks
        } catch (ExecutionException e) {
            log.debug("pausing '{}' on stop: {}", queue, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + options.stopTimeout().toNanos();
        synchronized (idle) {
            while (busy > 0 && System.nanoTime() < deadline) {
                try {
                    idle.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        control.execute(() -> {
            // What the consumers hold back goes out before their channels close (or the broker delivers it again).
            acknowledgers.values().forEach(a -> {
                try {
                    a.flush();
                } catch (IOException | RuntimeException e) {
                    log.debug("acknowledging messages of '{}' on stop: {}", queue, e.toString());
                }
            });
            consumers.close();
        });
        control.shutdown();
        try {
            control.awaitTermination(options.stopTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
