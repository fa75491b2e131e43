package io.queueservice.server.security;

import java.time.Duration;

/** 429: the caller used up its quota; {@link #retryAfter()} says when the next request would pass. */
public final class QuotaExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    public QuotaExceededException(Duration retryAfter) {
        super("too many requests from this caller; retry later (see Retry-After)", null, false, false);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
