package io.queueservice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PublishMetrics} on Micrometer: {@code queue_message_published_total{exchange}}, {@code
 * queue_message_publish_errors_total{exchange,reason}} and {@code queue_message_publish_confirm_seconds} (a
 * histogram of the time from publish to confirm, over all exchanges), and {@code
 * queue_message_publish_batch_size} (a histogram of the number of messages in each batch publish).
 *
 * <p>The exchange label is bounded: the first {@value #MAX_EXCHANGES} exchange names get their own
 * value, any further one is counted under {@code _other}, and a publish refused because its exchange
 * does not exist or its names are invalid is counted under {@code _unknown}: a client cannot grow the
 * series count without limit. The default exchange is labelled {@code amq.default}, as the broker names it.
 */
public final class MicrometerPublishMetrics implements PublishMetrics {
    static final int MAX_EXCHANGES = 100;
    static final String OTHER = "_other";
    static final String UNKNOWN = "_unknown";

    private final MeterRegistry registry;
    private final Set<String> labelled = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> published = new ConcurrentHashMap<>();
    private final Map<String, Counter> failed = new ConcurrentHashMap<>();

    private final Timer confirmLatency;
    private final DistributionSummary batchSize;

    public MicrometerPublishMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.confirmLatency = Timer.builder("queue.message.publish.confirm")
                .description("Time from publish to the broker's confirm")
                .publishPercentileHistogram()
                .register(registry);
        this.batchSize = DistributionSummary.builder("queue.message.publish.batch.size")
                .description("Messages per batch publish")
                .serviceLevelObjectives(1, 10, 50, 100, 250, 500, 1000)
                .register(registry);
    }

    @Override
    public void batchPublished(int size) {
        batchSize.record(size);
    }

    @Override
    public void published(String exchange, Duration latency) {
        confirmLatency.record(latency);
        published
                .computeIfAbsent(
                        label(exchange),
                        e -> Counter.builder("queue.message.published")
                                .description("Messages the broker confirmed")
                                .tag("exchange", e)
                                .register(registry))
                .increment();
    }

    @Override
    public void publishFailed(String exchange, PublishFailure reason) {
        boolean nameFromClient = reason == PublishFailure.NOT_FOUND
                || reason == PublishFailure.INVALID
                || reason == PublishFailure.REFUSED;
        String e = nameFromClient ? UNKNOWN : label(exchange);
        failed.computeIfAbsent(
                        e + '\u0000' + reason.label(),
                        k -> Counter.builder("queue.message.publish.errors")
                                .description("Publish requests that did not end with a confirmed message, by reason")
                                .tag("exchange", e)
                                .tag("reason", reason.label())
                                .register(registry))
                .increment();
    }

    private String label(String exchange) {
        String name = exchange.isEmpty() ? "amq.default" : exchange;
        if (labelled.contains(name)) {
            return name;
        }
        synchronized (labelled) {
            if (labelled.size() < MAX_EXCHANGES) {
                labelled.add(name);
                return name;
            }
        }
        return OTHER;
    }
}
