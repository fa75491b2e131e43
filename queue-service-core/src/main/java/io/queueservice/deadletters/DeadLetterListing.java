package io.queueservice.deadletters;

import java.util.List;

/**
 * The dead-letter queues the service knows.
 *
 * @param complete true when they were read from the whole virtual host (the management API); false when they are
 *     only those this instance knows from its own declarations, workers and features
 */
public record DeadLetterListing(List<DeadLetterQueue> queues, boolean complete) {
    public DeadLetterListing {
        queues = List.copyOf(queues);
    }
}
