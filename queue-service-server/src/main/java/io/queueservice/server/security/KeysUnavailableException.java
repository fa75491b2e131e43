package io.queueservice.server.security;

/** 503: the JWK set could not be fetched, so no token can be checked now. */
public final class KeysUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KeysUnavailableException() {
        super("the keys that verify tokens cannot be fetched now; try again later", null, false, false);
    }
}
