package io.queueservice.broker;

import java.time.Duration;

/**
 * The broker cannot take the request now: not connected, or it blocked publishers (memory or disk
 * alarm). Nothing was done; the same request may be sent again after {@link #retryAfter()}.
 */
public final class BrokerUnavailableException extends BrokerException {
    private static final long serialVersionUID = 1L;
    private final Duration retryAfter;

    public BrokerUnavailableException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public BrokerUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
