package io.queueservice.server;

/** A feature that needs a setting the service was started without: answered 501. */
public class NotConfiguredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotConfiguredException(String message) {
        super(message);
    }
}
