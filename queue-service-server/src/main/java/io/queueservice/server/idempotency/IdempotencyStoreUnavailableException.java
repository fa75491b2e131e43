package io.queueservice.server.idempotency;

import java.time.Duration;

/**
 * The idempotency store cannot tell whether a key was seen (Redis does not answer): the request is refused,
 * never processed unchecked. Answered 503 with {@code Retry-After}.
 */
public final class IdempotencyStoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    public IdempotencyStoreUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    /** When to try again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
