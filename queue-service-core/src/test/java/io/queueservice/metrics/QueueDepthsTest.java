package io.queueservice.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueueDepthsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Map<String, Long> broker = new ConcurrentHashMap<>();
    private final AtomicBoolean unreachable = new AtomicBoolean();
    private final AtomicInteger reads = new AtomicInteger();
    private final QueueDepths depths = new QueueDepths(
            queue -> {
                reads.incrementAndGet();
                if (unreachable.get()) {
                    throw new IllegalStateException("the broker is away");
                }
                Long ready = broker.get(queue);
                return ready == null ? OptionalLong.empty() : OptionalLong.of(ready);
            },
            registry,
            Duration.ofMillis(20));

    @AfterEach
    void close() {
        depths.close();
    }

    private Gauge gauge(String queue) {
        return registry.find("queue.message.count").tag("queue", queue).gauge();
    }

    @Test
    void aWatchedQueueReportsItsDepthAsRead() {
        broker.put("orders", 7L);
        depths.watch("orders");

        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("orders").value() == 7);
        broker.put("orders", 3L);
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("orders").value() == 3);
    }

    @Test
    void aQueueThatIsGoneIsNoLongerReported() {
        broker.put("orders", 1L);
        depths.watch("orders");
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("orders").value() == 1);

        broker.remove("orders");

        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("orders") == null);
    }

    @Test
    void whileTheBrokerIsAwayTheLastValueStaysAndReadingGoesOn() {
        broker.put("orders", 5L);
        depths.watch("orders");
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("orders").value() == 5);

        unreachable.set(true);
        broker.put("orders", 9L);
        int before = reads.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> reads.get() > before + 3);
        assertThat(gauge("orders").value()).isEqualTo(5);

        unreachable.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> gauge("orders").value() == 9);
    }

    @Test
    void theNumberOfQueuesReportedIsBounded() {
        unreachable.set(true); // nothing read, nothing forgotten
        for (int i = 0; i < QueueDepths.MAX_QUEUES + 5; i++) {
            depths.watch("q-" + i);
        }

        assertThat(registry.find("queue.message.count").gauges()).hasSize(QueueDepths.MAX_QUEUES);
        assertThat(gauge("q-0").value()).as("not read yet").isEqualTo(-1);
    }
}
