package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import com.rabbitmq.client.ShutdownSignalException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.tracing.LogFields;
import io.queueservice.tracing.TraceContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Consumes one queue: hands each message to the handler and acts on its {@link Outcome} exactly once.
 *
 * <ul>
 *   <li>Manual acknowledgements, {@code prefetch} messages ahead per consumer, {@code concurrency}
 *       consumers, each on its own channel, handling one message at a time.
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
 */
public final class Worker implements BrokerConnection.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final BrokerConnection connection;
    private final ConfirmingPublisher publisher;
    private final String queue;
    private final MessageHandler handler;
    private final WorkerOptions options;
    private final WorkerMetrics metrics;
    private final RetrySchedule schedule;
    private final CircuitBreaker breaker;
    /** Starts and stops consumers: one thread, so they never race with each other. */
    private final ExecutorService control;

    // Both touched on the control thread only.
    private final List<Channel> channels = new ArrayList<>();
    private final Map<Channel, String> consumerTags = new HashMap<>();
    private final Object idle = new Object();
    private int busy; // handlers running, guarded by idle
    private volatile boolean stopped;

    Worker(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            String queue,
            MessageHandler handler,
            WorkerOptions options,
            WorkerMetrics metrics) {
        this.connection = connection;
        this.publisher = publisher;
        this.queue = queue;
        this.handler = handler;
        this.options = options;
        this.metrics = metrics;
        this.schedule = new RetrySchedule(queue, options.retry());
        this.breaker = CircuitBreaker.of(
                "worker-" + queue,
                CircuitBreakerConfig.custom()
                        .failureRateThreshold(options.breaker().failureRatePercent())
                        .minimumNumberOfCalls(options.breaker().minimumCalls())
                        .slidingWindowSize(options.breaker().windowSize())
                        .waitDurationInOpenState(options.breaker().openWait())
                        .automaticTransitionFromOpenToHalfOpenEnabled(true) // no calls arrive while paused
                        .permittedNumberOfCallsInHalfOpenState(1) // one probe, on one consumer with prefetch 1
                        .recordException(e -> true)
                        .build());
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "worker-" + queue);
            t.setDaemon(true);
            return t;
        });
        breaker.getEventPublisher()
                .onStateTransition(e -> onBreaker(e.getStateTransition().getToState()));
        metrics.circuitState(queue, "closed");
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
        onControl(
                () -> { // they died with the connection
                    channels.clear();
                    consumerTags.clear();
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
            pause();
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
        if (stopped || !consumerTags.isEmpty() || state == CircuitBreaker.State.OPEN) {
            return;
        }
        boolean probe = state == CircuitBreaker.State.HALF_OPEN;
        int consumers = probe ? 1 : options.concurrency();
        int prefetch = probe ? 1 : options.prefetch();
        try {
            channels.removeIf(ch -> !ch.isOpen());
            while (channels.size() < consumers) {
                channels.add(c.createChannel());
            }
            for (Channel ch : channels.subList(0, consumers)) {
                ch.basicQos(prefetch);
                consumerTags.put(ch, ch.basicConsume(queue, false, new Delivery(ch)));
            }
            log.info("consuming '{}' with {} consumer(s), prefetch {}", queue, consumers, prefetch);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot consume '{}': {}", queue, e.toString());
            pause();
        }
    }

    /**
     * Cancels the consumers. The channels stay open, so handlers in flight can still acknowledge; what
     * was delivered ahead and not yet handled is handed back to the queue (see {@link #process}).
     */
    private void pause() {
        consumerTags.forEach((ch, tag) -> {
            try {
                if (ch.isOpen()) {
                    ch.basicCancel(tag);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("cancelling a consumer of '{}': {}", queue, e.toString());
            }
        });
        consumerTags.clear();
    }

    private void closeChannels() {
        pause();
        for (Channel ch : channels) {
            try {
                if (ch.isOpen()) {
                    ch.close();
                }
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.debug("closing a channel of '{}': {}", queue, e.toString());
            }
        }
        channels.clear();
    }

    /** One consumer's deliveries, called one at a time on its channel's dispatch thread. */
    private final class Delivery extends DefaultConsumer {
        Delivery(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            synchronized (idle) {
                busy++;
            }
            try {
                process(getChannel(), envelope, props, body);
            } finally {
                synchronized (idle) {
                    busy--;
                    idle.notifyAll();
                }
            }
        }
    }

    private void process(Channel ch, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        if (stopped || !breaker.tryAcquirePermission()) {
            // Not now: back to the queue as it was, attempt count unchanged.
            settle(ch, envelope, c -> c.basicNack(envelope.getDeliveryTag(), false, true));
            return;
        }
        // Every line logged while the message is handled and settled says which message (and trace) it is.
        putLogContext(props);
        try {
            handle(ch, envelope, props, body);
        } finally {
            clearLogContext();
        }
    }

    /**
     * The message's {@link LogFields}: its queue, id and, when it carries a valid W3C {@code traceparent}
     * header, that header and its trace id alone.
     */
    private void putLogContext(AMQP.BasicProperties props) {
        MDC.put(LogFields.QUEUE, queue);
        if (props.getMessageId() != null) {
            MDC.put(LogFields.MESSAGE_ID, props.getMessageId());
        }
        Object header = props.getHeaders() == null ? null : props.getHeaders().get(TraceContext.TRACEPARENT);
        String traceparent = header instanceof String || header instanceof LongString ? header.toString() : null;
        String traceId = TraceContext.traceId(traceparent);
        if (traceId != null) {
            MDC.put(LogFields.TRACEPARENT, traceparent);
            MDC.put(LogFields.TRACE_ID, traceId);
        }
    }

    private static void clearLogContext() {
        MDC.remove(LogFields.QUEUE);
        MDC.remove(LogFields.MESSAGE_ID);
        MDC.remove(LogFields.TRACEPARENT);
        MDC.remove(LogFields.TRACE_ID);
    }

    private void handle(Channel ch, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        int attempt = FailureHeaders.attempt(props);
        Message message = new Message(
                body,
                props.getHeaders(),
                props.getMessageId(),
                props.getContentType(),
                FailureHeaders.originalExchange(props, envelope),
                FailureHeaders.originalRoutingKey(props, envelope),
                attempt,
                envelope.isRedeliver());
        long started = System.nanoTime();
        Outcome outcome;
        Throwable error = null;
        try {
            outcome = handler.handle(message);
            if (outcome == null) {
                throw new IllegalStateException("the handler returned no outcome");
            }
        } catch (Exception | LinkageError e) {
            error = e;
            outcome = isPermanent(e) ? Outcome.deadLetter("permanent failure: " + e) : Outcome.retry();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        boolean failed = outcome instanceof Outcome.Retry;
        switch (outcome) {
            case Outcome.Ack a -> {
                settle(ch, envelope, c -> c.basicAck(envelope.getDeliveryTag(), false));
                metrics.consumed(queue, "ack", took);
            }
            case Outcome.Retry r -> retryOrGiveUp(ch, envelope, props, body, attempt, r, error, took);
            case Outcome.DeadLetter d -> {
                deadLetter(ch, envelope, props, body, attempt, d.reason(), error);
                metrics.consumed(queue, "dead_letter", took);
            }
        }
        // Only now, with the message settled: opening the breaker cancels this consumer.
        if (failed) {
            breaker.onError(took.toNanos(), TimeUnit.NANOSECONDS, error != null ? error : new RetryRequested());
            metrics.consumeFailed(queue, error != null ? "exception" : "retry");
        } else {
            breaker.onSuccess(took.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void retryOrGiveUp(
            Channel ch,
            Envelope envelope,
            AMQP.BasicProperties props,
            byte[] body,
            int attempt,
            Outcome.Retry retry,
            Throwable error,
            Duration took) {
        String why = error != null ? "handler failed: " + error : "handler asked to retry";
        if (attempt > schedule.maxRetries()) {
            deadLetter(
                    ch,
                    envelope,
                    props,
                    body,
                    attempt,
                    "retries exhausted after " + attempt + " attempts; last: " + why,
                    error);
            metrics.consumed(queue, "dead_letter", took);
            return;
        }
        Duration delay = retry.delay() != null ? retry.delay() : schedule.jitteredDelay(attempt);
        Duration step = retry.delay() != null ? schedule.stepFor(retry.delay()) : schedule.baseDelay(attempt);
        Duration expiration = delay.compareTo(step) > 0 ? step : delay;
        AMQP.BasicProperties copy = FailureHeaders.afterFailure(
                props, envelope, attempt + 1, why, error, Long.toString(Math.max(0, expiration.toMillis())));
        if (republish(ch, envelope, schedule.retryQueue(step), copy, body)) {
            metrics.retried(queue);
        }
        metrics.consumed(queue, "retry", took);
    }

    private void deadLetter(
            Channel ch,
            Envelope envelope,
            AMQP.BasicProperties props,
            byte[] body,
            int attempt,
            String reason,
            Throwable error) {
        AMQP.BasicProperties copy = FailureHeaders.afterFailure(props, envelope, attempt, reason, error, null);
        if (republish(ch, envelope, schedule.deadLetterQueue(), copy, body)) {
            metrics.deadLettered(queue);
            log.info(
                    "dead-lettered a message of '{}' after {} attempt(s): {}",
                    queue,
                    attempt,
                    FailureHeaders.truncate(reason));
        }
    }

    /**
     * Publishes the copy to a queue (through the default exchange), waits for the broker's confirm, then
     * acknowledges the original. When the copy cannot be stored, the original goes back to the queue.
     */
    private boolean republish(Channel ch, Envelope envelope, String target, AMQP.BasicProperties props, byte[] body) {
        try {
            publisher
                    .publish(new OutgoingMessage("", target, body, props, true))
                    .join();
        } catch (RuntimeException e) {
            log.warn(
                    "cannot move a message of '{}' to '{}' ({}); it goes back to the queue",
                    queue,
                    target,
                    e.toString());
            settle(ch, envelope, c -> c.basicNack(envelope.getDeliveryTag(), false, true));
            return false;
        }
        settle(ch, envelope, c -> c.basicAck(envelope.getDeliveryTag(), false));
        return true;
    }

    @FunctionalInterface
    private interface ChannelAction {
        void run(Channel channel) throws IOException;
    }

    /** An ack or nack; when the channel is gone, the broker redelivers the message anyway. */
    private void settle(Channel ch, Envelope envelope, ChannelAction action) {
        try {
            action.run(ch);
        } catch (IOException | RuntimeException e) {
            log.debug(
                    "could not settle delivery {} of '{}' ({}); the broker will redeliver it",
                    envelope.getDeliveryTag(),
                    queue,
                    e.toString());
        }
    }

    private boolean isPermanent(Throwable e) {
        return options.permanentFailures().stream().anyMatch(type -> type.isInstance(e));
    }

    /** Stands for an {@link Outcome.Retry} in the circuit breaker's failure count. */
    private static final class RetryRequested extends Exception {
        private static final long serialVersionUID = 1L;

        RetryRequested() {
            super("the handler asked to retry", null, false, false);
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
            control.submit(this::pause).get(); // no new deliveries; channels stay open for the acks
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
        control.execute(this::closeChannels);
        control.shutdown();
        try {
            control.awaitTermination(options.stopTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
