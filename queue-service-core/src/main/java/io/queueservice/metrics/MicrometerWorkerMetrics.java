package io.queueservice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link WorkerMetrics} on Micrometer: {@code queue_message_consumed_total{queue,outcome}}, {@code
 * queue_message_consume_errors_total{queue,reason}}, {@code queue_message_processing_seconds{queue}} (a
 * histogram), {@code queue_message_retries_total{queue}}, {@code queue_message_dead_lettered_total{queue}}
 * and {@code queue_worker_circuit_state{queue}} (0 closed, 1 half open, 2 open). Queues are those the
 * code consumes, a bounded set.
 *
 * <p>The counters of a queue exist from the moment its worker starts, at 0, for every outcome and reason: so
 * a dashboard shows 0 rather than no data, and a rate or an alert on them sees the first failure.
 */
public final class MicrometerWorkerMetrics implements WorkerMetrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> circuit = new ConcurrentHashMap<>();
    /** The meters of each queue, built once: messages are counted on every delivery. */
    private final Map<String, Timer> processing = new ConcurrentHashMap<>();

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public MicrometerWorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void workerStarted(String queue) {
        WorkerMetrics.OUTCOMES.forEach(outcome -> consumedCounter(queue, outcome));
        WorkerMetrics.FAILURE_REASONS.forEach(reason -> failureCounter(queue, reason));
        retriesCounter(queue);
        deadLetteredCounter(queue);
    }

    @Override
    public void consumed(String queue, String outcome, Duration processing) {
        consumedCounter(queue, outcome).increment();
        this.processing
                .computeIfAbsent(
                        queue,
                        q -> Timer.builder("queue.message.processing")
                                .description("Time a handler took per message")
                                .tag("queue", q)
                                .publishPercentileHistogram()
                                .register(registry))
                .record(processing);
    }

    @Override
    public void consumeFailed(String queue, String reason) {
        failureCounter(queue, reason).increment();
    }

    @Override
    public void retried(String queue) {
        retriesCounter(queue).increment();
    }

    @Override
    public void deadLettered(String queue) {
        deadLetteredCounter(queue).increment();
    }

    private Counter consumedCounter(String queue, String outcome) {
        return counters.computeIfAbsent(
                "consumed\u0000" + queue + '\u0000' + outcome,
                k -> Counter.builder("queue.message.consumed")
                        .description("Messages handled by a worker, by outcome")
                        .tag("queue", queue)
                        .tag("outcome", outcome)
                        .register(registry));
    }

    private Counter failureCounter(String queue, String reason) {
        return counters.computeIfAbsent(
                "errors\u0000" + queue + '\u0000' + reason,
                k -> Counter.builder("queue.message.consume.errors")
                        .description("Messages whose handler failed, by reason")
                        .tag("queue", queue)
                        .tag("reason", reason)
                        .register(registry));
    }

    private Counter retriesCounter(String queue) {
        return counters.computeIfAbsent(
                "retries\u0000" + queue,
                k -> Counter.builder("queue.message.retries")
                        .description("Messages sent to a retry queue")
                        .tag("queue", queue)
                        .register(registry));
    }

    private Counter deadLetteredCounter(String queue) {
        return counters.computeIfAbsent(
                "dead-lettered\u0000" + queue,
                k -> Counter.builder("queue.message.dead.lettered")
                        .description("Messages sent to a dead-letter queue")
                        .tag("queue", queue)
                        .register(registry));
    }

    @Override
    public void circuitState(String queue, String state) {
        int value = switch (state) {
            case "open" -> 2;
            case "half_open" -> 1;
            default -> 0;
        };
        circuit.computeIfAbsent(queue, q -> {
                    AtomicInteger holder = new AtomicInteger();
                    Gauge.builder("queue.worker.circuit.state", holder, AtomicInteger::get)
                            .description("Circuit breaker of a worker: 0 closed, 1 half open, 2 open")
                            .tag("queue", q)
                            .register(registry);
                    return holder;
                })
                .set(value);
    }
}
