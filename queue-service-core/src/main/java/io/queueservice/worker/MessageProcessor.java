package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.tracing.LogFields;
import io.queueservice.tracing.TraceContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.MDC;

/**
 * Runs the handler on one delivery at a time, when the circuit breaker lets it through: turns what the handler
 * returned or threw into an {@link Outcome}, has it acted on ({@link OutcomeRouter}), and then tells the breaker
 * whether the downstream failed.
 */
final class MessageProcessor {
    private final String queue;
    private final MessageHandler handler;
    private final Set<Class<? extends Throwable>> permanentFailures;
    private final CircuitBreaker breaker;
    private final OutcomeRouter router;
    private final WorkerMetrics metrics;

    MessageProcessor(
            String queue,
            MessageHandler handler,
            Set<Class<? extends Throwable>> permanentFailures,
            CircuitBreaker breaker,
            OutcomeRouter router,
            WorkerMetrics metrics) {
        this.queue = queue;
        this.handler = handler;
        this.permanentFailures = permanentFailures;
        this.breaker = breaker;
        this.router = router;
        this.metrics = metrics;
    }

    void process(Delivery delivery) {
        if (!breaker.tryAcquirePermission()) {
            delivery.requeue(); // not now: back to the queue as it was, attempt count unchanged
            return;
        }
        // Every line logged while the message is handled and settled says which message (and trace) it is.
        putLogContext(delivery.properties());
        try {
            handle(delivery);
        } finally {
            clearLogContext();
        }
    }

    private void handle(Delivery delivery) {
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
            outcome = isPermanent(e) ? Outcome.deadLetter("permanent failure: " + e) : Outcome.retry();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
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
