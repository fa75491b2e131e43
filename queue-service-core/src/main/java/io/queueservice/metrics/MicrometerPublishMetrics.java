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
 * series count without limit. The default exchange is labelled {@code amq.default}, as the broker names it,
 * besides those.
 *
 * <p>The series whose labels are known in advance exist from the start, at 0: every reason of the errors
 * (those of the client's own making under {@code _unknown}, where they are always counted, the others under
 * {@code amq.default}) and the messages published to {@code amq.default}. So a dashboard shows 0 rather than
 * no data, and a rate or an alert on them sees the first failure.
 */
public final class MicrometerPublishMetrics implements PublishMetrics {
    static final int MAX_EXCHANGES = 100;
    static final String OTHER = "_other";
    static final String UNKNOWN = "_unknown";
    static final String DEFAULT_EXCHANGE = "amq.default";

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
        publishedCounter(DEFAULT_EXCHANGE);
        for (PublishFailure reason : PublishFailure.values()) {
            failedCounter(nameFromClient(reason) ? UNKNOWN : DEFAULT_EXCHANGE, reason);
        }
    }

    @Override
    public void batchPublished(int size) {
        batchSize.record(size);
    }

    @Override
    public void published(String exchange, Duration latency) {
        confirmLatency.record(latency);
        publishedCounter(label(exchange)).increment();
    }

    @Override
    public void publishFailed(String exchange, PublishFailure reason) {
        failedCounter(nameFromClient(reason) ? UNKNOWN : label(exchange), reason)
                .increment();
    }

    /** The exchange of these failures is the name the client sent, not one that exists: counted as unknown. */
    private static boolean nameFromClient(PublishFailure reason) {
        return reason == PublishFailure.NOT_FOUND
                || reason == PublishFailure.INVALID
                || reason == PublishFailure.REFUSED;
    }

    private Counter publishedCounter(String exchangeLabel) {
        return published.computeIfAbsent(
                exchangeLabel,
                e -> Counter.builder("queue.message.published")
                        .description("Messages the broker confirmed")
                        .tag("exchange", e)
                        .register(registry));
    }

    private Counter failedCounter(String exchangeLabel, PublishFailure reason) {
        return failed.computeIfAbsent(
                exchangeLabel + '\u0000' + reason.label(),
                k -> Counter.builder("queue.message.publish.errors")
                        .description("Publish requests that did not end with a confirmed message, by reason")
                        .tag("exchange", exchangeLabel)
                        .tag("reason", reason.label())
                        .register(registry));
    }

    private String label(String exchange) {
        String name = exchange.isEmpty() ? DEFAULT_EXCHANGE : exchange;
        if (name.equals(DEFAULT_EXCHANGE) || labelled.contains(name)) {
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
