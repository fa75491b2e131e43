package io.queueservice.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.TopologyOperations;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code queue_message_count{queue}}: messages ready in each queue the service knows (declared through the
 * API, consumed by a worker with its dead-letter queue, or listed in {@code METRICS_QUEUES}), read from the
 * broker every interval, one light passive declare per queue. At most {@value #MAX_QUEUES} queues, so that
 * clients declaring queues cannot grow the series without bound; a queue that is gone is dropped.
 */
public final class QueueDepths implements AutoCloseable {
    static final int MAX_QUEUES = 200;
    private static final Logger log = LoggerFactory.getLogger(QueueDepths.class);

    private final TopologyOperations topology;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "queue-depths");
        t.setDaemon(true);
        return t;
    });

    public QueueDepths(TopologyOperations topology, MeterRegistry registry, Duration interval) {
        this.topology = topology;
        this.registry = registry;
        poller.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts reporting a queue's depth (ignored past {@value #MAX_QUEUES} queues). */
    public void watch(String queue) {
        if (depths.containsKey(queue)) {
            return;
        }
        if (depths.size() >= MAX_QUEUES) {
            log.warn("not reporting the depth of '{}': already {} queues are reported", queue, MAX_QUEUES);
            return;
        }
        depths.computeIfAbsent(queue, q -> {
            AtomicLong depth = new AtomicLong(-1);
            gauges.put(
                    q,
                    Gauge.builder("queue.message.count", depth, AtomicLong::get)
                            .description("Messages ready in the queue, as last read from the broker (-1: not read yet)")
                            .tag("queue", q)
                            .register(registry));
            return depth;
        });
    }

    /** Stops reporting a queue (it was deleted). */
    public void forget(String queue) {
        depths.remove(queue);
        Gauge g = gauges.remove(queue);
        if (g != null) {
            registry.remove(g);
        }
    }

    private void refresh() {
        for (Map.Entry<String, AtomicLong> e : depths.entrySet()) {
            try {
                e.getValue().set(topology.queueInfo(e.getKey()).messages());
            } catch (ResourceNotFoundException | InvalidRequestException gone) {
                forget(e.getKey());
            } catch (BrokerException unreachable) {
                return; // the broker is away: try again next time, keep the last values
            }
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
