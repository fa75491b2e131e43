package io.queueservice.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
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

    private final QueueDepthSource source;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "queue-depths");
        t.setDaemon(true);
        return t;
    });

    /**
     * Starts reading the depths of the queues it is told to watch, every {@code interval}.
     *
     * @param source where depths are read (the broker's {@code Topology} in the service)
     */
    public QueueDepths(QueueDepthSource source, MeterRegistry registry, Duration interval) {
        this.source = source;
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
            OptionalLong ready;
            try {
                ready = source.readyMessages(e.getKey());
            } catch (RuntimeException unreachable) {
                // The broker is away: try again next time, keep the last values. Caught whatever its type, as
                // an exception out of this task would end the polling for good.
                return;
            }
            if (ready.isPresent()) {
                e.getValue().set(ready.getAsLong());
            } else {
                forget(e.getKey()); // gone
            }
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
