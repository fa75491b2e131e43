package io.queueservice.server.api;

import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Messages the API published to each queue through the default exchange (whose routing key names the queue), as
 * confirmed by the broker: the publish figure per queue that the per-exchange metrics cannot give, for the
 * console. At most {@value #MAX_QUEUES} queues are counted, the first ones seen.
 */
public final class QueueTraffic {
    static final int MAX_QUEUES = 200;

    private final Map<String, LongAdder> published = new ConcurrentHashMap<>();

    /** {@code publisher}, counting here what it publishes to the default exchange once confirmed. */
    public Publisher counting(Publisher publisher) {
        return new Publisher() {
            @Override
            public CompletableFuture<Void> publish(OutgoingMessage message) {
                return counted(message, publisher.publish(message));
            }

            @Override
            public List<CompletableFuture<Void>> publishAll(List<OutgoingMessage> messages) {
                List<CompletableFuture<Void>> results = publisher.publishAll(messages);
                List<CompletableFuture<Void>> out = new ArrayList<>(results.size());
                for (int i = 0; i < results.size(); i++) {
                    out.add(counted(messages.get(i), results.get(i)));
                }
                return out;
            }

            @Override
            public WriteHold holdWrites() {
                return publisher.holdWrites();
            }
        };
    }

    private CompletableFuture<Void> counted(OutgoingMessage m, CompletableFuture<Void> result) {
        if (m.exchange().isEmpty()) {
            String queue = m.routingKey(); // not the message: its body need not live until the confirm
            result.thenRun(() -> counter(queue));
        }
        return result; // the caller keeps its own future: counting never delays or changes its answer
    }

    private void counter(String queue) {
        LongAdder c = published.get(queue);
        if (c == null) {
            if (published.size() >= MAX_QUEUES) {
                return;
            }
            c = published.computeIfAbsent(queue, q -> new LongAdder());
        }
        c.increment();
    }

    /** Messages confirmed per queue since the service started. */
    Map<String, Long> publishedByQueue() {
        Map<String, Long> out = new TreeMap<>();
        published.forEach((q, c) -> out.put(q, c.sum()));
        return out;
    }
}
