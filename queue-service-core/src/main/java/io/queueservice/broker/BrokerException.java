package io.queueservice.broker;

/**
 * Base of everything that can go wrong when the broker is asked to do something. Each subclass is one
 * thing a caller can act on (fix the request, retry later, ...), so the HTTP layer maps each to one
 * status code. Messages are safe to show to a client: they never carry credentials.
 */
public abstract class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected BrokerException(String message) {
        super(message);
    }

    protected BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
