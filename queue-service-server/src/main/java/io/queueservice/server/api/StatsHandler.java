package io.queueservice.server.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.validation.InvalidRequestException;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code GET /api/v1/stats}: the service's own figures, for the console. Counters are totals since this instance
 * started (a client gets rates from two readings); depths are read from the broker now. The queues are those this
 * instance knows: declared through it, consumed by its workers, listed in METRICS_QUEUES, or published to through
 * the default exchange; at most {@value #MAX_QUEUES}.
 */
final class StatsHandler {
    static final int MAX_QUEUES = 100;

    /**
     * @param messages ready in the queue now; null when it could not be read
     * @param published confirmed messages the API sent to it through the default exchange
     * @param consumed messages this instance's workers handled from it, whatever the outcome
     * @param deadLettered messages this instance's workers sent to its dead-letter queue
     */
    record QueueStats(String name, Long messages, Long consumers, long published, long consumed, long deadLettered) {}

    /** @param failed publish requests to it that did not end with a confirmed message */
    record ExchangeStats(String name, long published, long failed) {}

    record Stats(String at, List<QueueStats> queues, List<ExchangeStats> exchanges) {}

    private final TopologyOperations topology;
    private final QueueDepths depths;
    private final MeterRegistry registry;
    private final QueueTraffic traffic;

    StatsHandler(TopologyOperations topology, QueueDepths depths, MeterRegistry registry, QueueTraffic traffic) {
        this.topology = topology;
        this.depths = depths;
        this.registry = registry;
        this.traffic = traffic;
    }

    void stats(RoutingContext ctx) {
        Map<String, Long> published = traffic.publishedByQueue();
        Map<String, Long> consumed = sumBy("queue.message.consumed", "queue");
        Map<String, Long> deadLettered = sumBy("queue.message.dead.lettered", "queue");
        TreeSet<String> names = new TreeSet<>(depths.watched());
        names.addAll(published.keySet());
        names.addAll(consumed.keySet());
        List<QueueStats> queues = new ArrayList<>();
        for (String name : names) {
            if (queues.size() >= MAX_QUEUES) {
                break;
            }
            QueueInfo info = info(name);
            if (info == null && !published.containsKey(name) && !consumed.containsKey(name)) {
                continue; // gone, and nothing of ours to show for it
            }
            queues.add(new QueueStats(
                    name,
                    info == null ? null : info.messages(),
                    info == null ? null : info.consumers(),
                    published.getOrDefault(name, 0L),
                    consumed.getOrDefault(name, 0L),
                    deadLettered.getOrDefault(name, 0L)));
        }
        Map<String, Long> exchangePublished = sumBy("queue.message.published", "exchange");
        Map<String, Long> exchangeFailed = sumBy("queue.message.publish.errors", "exchange");
        TreeSet<String> exchanges = new TreeSet<>(exchangePublished.keySet());
        exchanges.addAll(exchangeFailed.keySet());
        List<ExchangeStats> ex = exchanges.stream()
                .map(e ->
                        new ExchangeStats(e, exchangePublished.getOrDefault(e, 0L), exchangeFailed.getOrDefault(e, 0L)))
                .toList();
        Json.write(ctx, 200, new Stats(Instant.now().toString(), queues, ex));
    }

    private QueueInfo info(String queue) {
        try {
            return topology.queueInfo(queue);
        } catch (ResourceNotFoundException | InvalidRequestException gone) {
            return null;
        }
    }

    /** The counters of that name summed by one tag's value. */
    private Map<String, Long> sumBy(String meter, String tag) {
        Map<String, Long> out = new TreeMap<>();
        for (Counter c : registry.find(meter).counters()) {
            String key = c.getId().getTag(tag);
            if (key != null) {
                out.merge(key, (long) c.count(), Long::sum);
            }
        }
        return out;
    }
}
