package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.tracing.LogFields;
import io.queueservice.tracing.TraceContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the handler on one delivery at a time, when the circuit breaker lets it through: turns what the handler
 * returned or threw into an {@link Outcome}, has it acted on ({@link OutcomeRouter}), and then tells the breaker
 * whether the downstream failed. With an {@link AsyncMessageHandler}, the outcome is acted on when its stage
 * completes: an acknowledgement or a requeue in the completing thread, a retry or a dead-lettering (which wait
 * for the broker's confirm of a copy) on a virtual thread.
 */
final class MessageProcessor {
    // The worker's logger: one name for everything a worker logs, whichever class does the work.
    private static final Logger log = LoggerFactory.getLogger(Worker.class);
    private static final CompletableFuture<Void> SETTLED = CompletableFuture.completedFuture(null);

    private final String queue;
    private final Set<Class<? extends Throwable>> permanentFailures;
    private final CircuitBreaker breaker;
    private final OutcomeRouter router;
    private final WorkerMetrics metrics;
    private final Thread.Builder settlers;

    MessageProcessor(
            String queue,
            Set<Class<? extends Throwable>> permanentFailures,
            CircuitBreaker breaker,
            OutcomeRouter router,
            WorkerMetrics metrics) {
        this.queue = queue;
        this.permanentFailures = permanentFailures;
        this.breaker = breaker;
        this.router = router;
        this.metrics = metrics;
        this.settlers = Thread.ofVirtual().name("worker-" + queue + "-settle-", 1);
    }

    void process(Delivery delivery, MessageHandler handler) {
        if (!breaker.tryAcquirePermission()) {
            delivery.requeue(); // not now: back to the queue as it was, attempt count unchanged
            return;
        }
        // Every line logged while the message is handled and settled says which message (and trace) it is.
        putLogContext(delivery.properties());
        try {
            long started = System.nanoTime();
            Outcome outcome;
            Throwable error = null;
            try {
                outcome = handler.handle(delivery.message());
                if (outcome == null) {
                    throw new IllegalStateException("the handler returned no outcome");
                }
            } catch (Exception | LinkageError e) {
                error = e;
                outcome = failed(e);
            }
            settle(delivery, outcome, error, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            clearLogContext();
        }
    }

    /**
     * Starts handling a delivery with an asynchronous handler.
     *
     * @return completes (never exceptionally) once the delivery is settled
     */
    CompletableFuture<Void> process(Delivery delivery, AsyncMessageHandler handler) {
        if (!breaker.tryAcquirePermission()) {
            delivery.requeue();
            return SETTLED;
        }
        long started = System.nanoTime();
        CompletionStage<Outcome> stage;
        putLogContext(delivery.properties());
        try {
            stage = handler.handle(delivery.message());
            if (stage == null) {
                throw new IllegalStateException("the handler returned no stage");
            }
        } catch (Exception | LinkageError e) {
            stage = CompletableFuture.failedStage(e);
        } finally {
            clearLogContext();
        }
        CompletableFuture<Void> settled = new CompletableFuture<>();
        stage.whenComplete((result, failure) -> {
            Throwable error =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (error == null && result == null) {
                error = new IllegalStateException("the handler returned no outcome");
            }
            Outcome outcome = error != null ? failed(error) : result;
            Throwable cause = error;
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            Runnable settle = () -> {
                putLogContext(delivery.properties());
                try {
                    settle(delivery, outcome, cause, took);
                } catch (RuntimeException e) {
                    log.error("settling a message of '{}' failed", queue, e);
                } finally {
                    clearLogContext();
                    settled.complete(null);
                }
            };
            switch (outcome) {
                case Outcome.Ack a -> settle.run();
                case Outcome.Requeue q -> settle.run();
                default -> settlers.start(settle); // waits for the broker's confirm of a copy
            }
        });
        return settled;
    }

    private Outcome failed(Throwable e) {
        return isPermanent(e) ? Outcome.deadLetter("permanent failure: " + e) : Outcome.retry();
    }

    private void settle(Delivery delivery, Outcome outcome, Throwable error, Duration took) {
        router.route(delivery, outcome, error, took);
        // Only now, with the message settled: opening the breaker cancels this consumer.
        switch (outcome) {
            case Outcome.Retry r -> {
                breaker.onError(took.toNanos(), TimeUnit.NANOSECONDS, error != null ? error : new RetryRequested());
                metrics.consumeFailed(queue, error != null ? "exception" : "retry");
            }
            case Outcome.Requeue q -> breaker.releasePermission(); // neither a success nor a failure
            default -> breaker.onSuccess(took.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private boolean isPermanent(Throwable e) {
        return permanentFailures.stream().anyMatch(type -> type.isInstance(e));
    }

    /**
     * The message's {@link LogFields}: its queue, id and, when it carries a valid W3C {@code traceparent} header,
     * that header and its trace id alone.
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

    /** Stands for an {@link Outcome.Retry} in the circuit breaker's failure count. */
    private static final class RetryRequested extends Exception {
        private static final long serialVersionUID = 1L;

        RetryRequested() {
            super("the handler asked to retry", null, false, false);
        }
    }
}
