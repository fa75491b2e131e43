package io.queueservice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@link DelayMetrics} on Micrometer: {@code queue_delay_dispatched_total}, {@code
 * queue_delay_dispatch_lateness_seconds} (a histogram of the time from due to confirmed at the target), {@code
 * queue_delay_dead_lettered_total{reason}} and {@code queue_delay_dispatch_retries_total}. Labels are fixed
 * words, never names from messages.
 */
public final class MicrometerDelayMetrics implements DelayMetrics {
    private final Counter dispatched;
    private final Timer lateness;
    private final Counter retried;
    private final Map<DeadLetterReason, Counter> deadLettered = new EnumMap<>(DeadLetterReason.class);

    public MicrometerDelayMetrics(MeterRegistry registry) {
        this.dispatched = Counter.builder("queue.delay.dispatched")
                .description("Delayed messages delivered to their target once due")
                .register(registry);
        this.lateness = Timer.builder("queue.delay.dispatch.lateness")
                .description("Time from when a delayed message was due to its confirm at the target")
                .publishPercentileHistogram()
                .register(registry);
        this.retried = Counter.builder("queue.delay.dispatch.retries")
                .description("Due messages put back to wait because they could not be published now")
                .register(registry);
        for (DeadLetterReason r : DeadLetterReason.values()) {
            deadLettered.put(
                    r,
                    Counter.builder("queue.delay.dead.lettered")
                            .description("Due messages sent to the delay dead-letter queue, by reason")
                            .tag("reason", r.label())
                            .register(registry));
        }
    }

    @Override
    public void dispatched(Duration late) {
        dispatched.increment();
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    @Override
    public void deadLettered(DeadLetterReason reason) {
        deadLettered.get(reason).increment();
    }

    @Override
    public void dispatchRetried() {
        retried.increment();
    }
}
