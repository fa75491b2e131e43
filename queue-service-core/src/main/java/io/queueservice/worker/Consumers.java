package io.queueservice.worker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Consumer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumers of one queue, each on a channel of its own. Not thread-safe: a {@link Worker} calls it from its
 * control thread only. Cancelling keeps the channels open, so that handlers in flight can still settle their
 * messages; the broker hands back what was delivered ahead and not yet handled.
 */
final class Consumers {
    // The worker's logger: one name for everything a worker logs, whichever class does the work.
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final String queue;
    private final List<Channel> channels = new ArrayList<>();
    private final Map<Channel, String> tags = new HashMap<>();

    Consumers(String queue) {
        this.queue = queue;
    }

    /** Whether consumers are registered (started and not cancelled since). */
    boolean consuming() {
        return !tags.isEmpty();
    }

    /**
     * Starts {@code count} consumers, each taking up to {@code prefetch} unacknowledged messages, on the open
     * channels it has (opening more on {@code connection} when short). Manual acknowledgements.
     *
     * @throws IOException when a channel cannot be opened or the broker refuses a consumer; those started stay
     */
    void start(Connection connection, int count, int prefetch, Function<Channel, Consumer> consumer)
            throws IOException {
        channels.removeIf(ch -> !ch.isOpen());
        while (channels.size() < count) {
            channels.add(connection.createChannel());
        }
        for (Channel ch : channels.subList(0, count)) {
            ch.basicQos(prefetch);
            tags.put(ch, ch.basicConsume(queue, false, consumer.apply(ch)));
        }
    }

    /** Cancels the consumers; the channels stay open. */
    void cancel() {
        tags.forEach((ch, tag) -> {
            try {
                if (ch.isOpen()) {
                    ch.basicCancel(tag);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("cancelling a consumer of '{}': {}", queue, e.toString());
            }
        });
        tags.clear();
    }

    /** Forgets channels and consumers that died with their connection. */
    void forget() {
        channels.clear();
        tags.clear();
    }

    /** Cancels the consumers and closes their channels. */
    void close() {
        cancel();
        for (Channel ch : channels) {
            try {
                if (ch.isOpen()) {
                    ch.close();
                }
            } catch (IOException | TimeoutException | RuntimeException e) {
                log.debug("closing a channel of '{}': {}", queue, e.toString());
            }
        }
        channels.clear();
    }
}
