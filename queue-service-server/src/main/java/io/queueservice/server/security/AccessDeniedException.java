package io.queueservice.server.security;

/** 403: a valid token without the scope the request needs. */
public final class AccessDeniedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String scope;

    /** @param scope the scope that would allow the request, e.g. {@code topology:write} */
    public AccessDeniedException(String scope, String message) {
        super(message, null, false, false);
        this.scope = scope;
    }

    public String scope() {
        return scope;
    }

    /** The {@code WWW-Authenticate} value (RFC 6750) naming the scope needed. */
    public String challenge() {
        return AccessControl.REALM + ", error=\"insufficient_scope\", scope=\"" + scope + "\"";
    }
}
