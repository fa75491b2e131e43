package io.queueservice.deadletters;

import io.queueservice.deadletters.DeadLetterRouting.Via;
import java.util.List;
import java.util.Set;

/**
 * A dead-letter queue and what is in it now.
 *
 * @param serves the queues whose dead letters it receives, sorted
 * @param via how it was found to be a dead-letter queue
 * @param messages messages ready in it
 * @param consumers consumers on it
 */
public record DeadLetterQueue(String name, List<String> serves, Set<Via> via, long messages, long consumers) {
    public DeadLetterQueue {
        serves = List.copyOf(serves);
        via = Set.copyOf(via);
    }
}
