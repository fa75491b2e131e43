package io.queueservice.server.idempotency;

import java.time.Duration;

/** What to do with a request that carries an idempotency key (see {@link Idempotency#begin}). */
public sealed interface Decision {
    /** The first request with this key: process it, then {@link Idempotency#complete} the ticket. */
    record Proceed(Ticket ticket) implements Decision {}

    /** A retry of a request already answered: send this answer again, marked as replayed, and do nothing else. */
    record Replay(StoredAnswer answer) implements Decision {}

    /** The first request with this key is still being processed: 409, retry after {@code retryAfter}. */
    record InFlight(Duration retryAfter) implements Decision {}

    /** The key was used before with another body: 422, nothing is done. */
    record Mismatch() implements Decision {}
}
