package io.queueservice.server.push;

import io.queueservice.server.NotConfiguredException;

/**
 * The service is not set up to do this (no {@code SUBSCRIPTIONS_KEY} to encrypt signing secrets with); the
 * message says what to set: answered 501, as for other features that need configuration.
 */
public final class PushNotConfiguredException extends NotConfiguredException {
    private static final long serialVersionUID = 1L;

    public PushNotConfiguredException(String message) {
        super(message);
    }
}
