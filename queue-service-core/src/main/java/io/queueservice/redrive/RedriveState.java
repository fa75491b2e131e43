package io.queueservice.redrive;

/** Where a redrive stands. */
public enum RedriveState {
    RUNNING,
    /** Every message it was to move was moved or counted as failed, or the queue ran empty. */
    COMPLETED,
    /** Stopped on request; the messages moved until then stay moved. */
    CANCELLED,
    /** Stopped by a problem it could not get past (see its reason); the messages not moved are still in the queue. */
    FAILED
}
