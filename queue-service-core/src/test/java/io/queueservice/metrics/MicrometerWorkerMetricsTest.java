package io.queueservice.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MicrometerWorkerMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerWorkerMetrics metrics = new MicrometerWorkerMetrics(registry);

    private double count(String meter, String tag, String value) {
        Counter c = registry.find(meter).tag("queue", "orders").tag(tag, value).counter();
        assertThat(c).as("%s{%s=%s}", meter, tag, value).isNotNull();
        return c.count();
    }

    @Test
    void aStartedWorkersCountersExistAtZeroBeforeAnyMessage() {
        metrics.workerStarted("orders");

        assertThat(registry.find("queue.message.consumed")
                        .tag("queue", "orders")
                        .counters())
                .extracting(c -> c.getId().getTag("outcome"), Counter::count)
                .containsExactlyInAnyOrder(tuple("ack", 0.0), tuple("retry", 0.0), tuple("dead_letter", 0.0));
        assertThat(registry.find("queue.message.consume.errors")
                        .tag("queue", "orders")
                        .counters())
                .extracting(c -> c.getId().getTag("reason"), Counter::count)
                .containsExactlyInAnyOrder(tuple("exception", 0.0), tuple("retry", 0.0));
        assertThat(registry.find("queue.message.retries").tag("queue", "orders").counter())
                .isNotNull()
                .extracting(Counter::count)
                .isEqualTo(0.0);
        assertThat(registry.find("queue.message.dead.lettered")
                        .tag("queue", "orders")
                        .counter())
                .isNotNull()
                .extracting(Counter::count)
                .isEqualTo(0.0);
    }

    @Test
    void theCountersCountOnFromZero() {
        metrics.workerStarted("orders");

        metrics.consumed("orders", "ack", Duration.ofMillis(3));
        metrics.consumed("orders", "retry", Duration.ofMillis(3));
        metrics.consumeFailed("orders", "exception");
        metrics.retried("orders");
        metrics.deadLettered("orders");

        assertThat(count("queue.message.consumed", "outcome", "ack")).isEqualTo(1);
        assertThat(count("queue.message.consumed", "outcome", "retry")).isEqualTo(1);
        assertThat(count("queue.message.consumed", "outcome", "dead_letter")).isZero();
        assertThat(count("queue.message.consume.errors", "reason", "exception")).isEqualTo(1);
        assertThat(count("queue.message.consume.errors", "reason", "retry")).isZero();
        assertThat(registry.find("queue.message.retries").counter().count()).isEqualTo(1);
        assertThat(registry.find("queue.message.dead.lettered").counter().count())
                .isEqualTo(1);
        assertThat(registry.find("queue.message.consumed").counters()).hasSize(3);
    }

    @Test
    void aQueueWithoutAWorkerHasNoSeries() {
        metrics.workerStarted("orders");

        assertThat(registry.find("queue.message.consumed")
                        .tag("queue", "billing")
                        .counters())
                .isEmpty();
    }
}
