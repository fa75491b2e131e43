package io.queueservice.server.idempotency;

/** What the store holds under a key: the marker of a request in flight, or its final answer. */
public sealed interface Stored {
    /** The body's fingerprint, to tell a retry from another request with the same key. */
    String fingerprint();

    /**
     * A request with this key is being processed.
     *
     * @param token random, so that only the request that set it may replace or remove it
     */
    record InFlight(String token, String fingerprint) implements Stored {}

    /** The request with this key was answered; retries with the same body get this answer. */
    record Done(String fingerprint, StoredAnswer answer) implements Stored {}
}
