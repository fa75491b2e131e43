package io.queueservice.metrics;

import java.util.OptionalLong;

/** Where {@link QueueDepths} reads how many messages wait in a queue (the broker's topology, in the service). */
@FunctionalInterface
public interface QueueDepthSource {

    /**
     * The messages ready in the queue now.
     *
     * @return empty when there is no such queue (any more)
     * @throws RuntimeException when it cannot be read now (the broker is away, say): try again later
     */
    OptionalLong readyMessages(String queue);
}
