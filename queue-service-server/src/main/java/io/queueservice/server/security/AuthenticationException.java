package io.queueservice.server.security;

/** 401: no token, or one that is not accepted. The message is the reason's description, never the token. */
public final class AuthenticationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Rejection reason;

    public AuthenticationException(Rejection reason) {
        super(reason.description(), null, false, false);
        this.reason = reason;
    }

    public Rejection reason() {
        return reason;
    }

    /**
     * The {@code WWW-Authenticate} value (RFC 6750): only the realm when no token was sent, else {@code
     * error="invalid_token"} with a fixed description.
     */
    public String challenge() {
        return reason == Rejection.MISSING_TOKEN
                ? AccessControl.REALM
                : AccessControl.REALM + ", error=\"invalid_token\", error_description=\"" + reason.description() + "\"";
    }
}
