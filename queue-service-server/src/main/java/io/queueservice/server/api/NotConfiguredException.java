package io.queueservice.server.api;

/** A feature that needs a setting the service was started without: answered 501. */
final class NotConfiguredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotConfiguredException(String message) {
        super(message);
    }
}
