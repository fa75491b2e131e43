package io.queueservice.redrive;

/** A redrive cannot go on; the message is the reason. */
final class GiveUp extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GiveUp(String message) {
        super(message, null, false, false);
    }
}
