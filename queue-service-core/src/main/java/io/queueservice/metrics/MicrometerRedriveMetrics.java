package io.queueservice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@link RedriveMetrics} on Micrometer: {@code queue_redrive_messages_total{outcome}} ({@code moved} or {@code
 * failed}), {@code queue_redrives_total{state}} (how redrives ended: {@code completed}, {@code cancelled}, {@code
 * failed}) and {@code queue_redrives_running}. No queue label: any queue may be redriven, and the labels stay
 * bounded. Every series exists from the start, at 0.
 */
public final class MicrometerRedriveMetrics implements RedriveMetrics {
    static final List<String> END_STATES = List.of("completed", "cancelled", "failed");

    private final Counter moved;
    private final Counter failed;
    private final Map<String, Counter> finished;
    private final AtomicInteger running = new AtomicInteger();

    public MicrometerRedriveMetrics(MeterRegistry registry) {
        this.moved = messages(registry, "moved");
        this.failed = messages(registry, "failed");
        this.finished = END_STATES.stream()
                .collect(Collectors.toMap(
                        Function.identity(),
                        state -> Counter.builder("queue.redrives")
                                .description("Redrives that ended, by how they ended")
                                .tag("state", state)
                                .register(registry)));
        Gauge.builder("queue.redrives.running", running, AtomicInteger::get)
                .description("Redrives running in this instance")
                .register(registry);
    }

    private static Counter messages(MeterRegistry registry, String outcome) {
        return Counter.builder("queue.redrive.messages")
                .description("Messages a redrive moved out of a dead-letter queue, or could not move")
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void started() {
        running.incrementAndGet();
    }

    @Override
    public void moved() {
        moved.increment();
    }

    @Override
    public void failed() {
        failed.increment();
    }

    @Override
    public void finished(String state) {
        running.decrementAndGet();
        Counter c = finished.get(state);
        if (c != null) {
            c.increment();
        }
    }
}
