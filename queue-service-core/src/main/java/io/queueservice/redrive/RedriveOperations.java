package io.queueservice.redrive;

import java.util.List;
import java.util.Optional;

/** Starting, following and cancelling redrives: what the HTTP API depends on; {@link Redriver} is the implementation. */
public interface RedriveOperations {
    /**
     * Starts moving the messages of a queue (a dead-letter queue) back where they came from, or to the request's
     * destination, in the background.
     *
     * @return its status, just started
     * @throws io.queueservice.validation.InvalidRequestException for a bad queue name or request
     * @throws io.queueservice.broker.ResourceNotFoundException when the queue does not exist
     * @throws io.queueservice.broker.ResourceConflictException when a redrive of the queue is running (on any
     *     instance), or something else consumes the queue
     * @throws io.queueservice.broker.BrokerUnavailableException when the broker cannot be reached
     */
    RedriveStatus start(String queue, RedriveRequest request);

    /** A redrive this instance runs or ran lately. */
    Optional<RedriveStatus> find(String id);

    /** The redrives this instance runs, and those it ran lately, the newest first. */
    List<RedriveStatus> list();

    /**
     * Asks a running redrive to stop: the messages already moved stay moved; those in flight are settled first.
     * Cancelling a finished one changes nothing.
     *
     * @return its status
     * @throws io.queueservice.broker.ResourceNotFoundException when this instance knows no redrive of that id
     */
    RedriveStatus cancel(String id);
}
