package io.queueservice.redrive;

import java.time.Instant;
import java.util.Optional;

/**
 * A redrive as it stands.
 *
 * @param moved messages republished, confirmed by the broker, and then removed from the queue
 * @param failed messages that could not be republished (no queue would receive them, the exchange does not
 *     exist, ...): they stay in the queue, marked with why (see {@link RedriveHeaders})
 * @param toMove how many it is to move: the queue's depth when it started, or the request's limit if lower
 * @param reason why it failed, when it did
 */
public record RedriveStatus(
        String id,
        String queue,
        RedriveState state,
        long moved,
        long failed,
        long toMove,
        Instant startedAt,
        Optional<Instant> finishedAt,
        Optional<String> reason,
        RedriveRequest request) {}
