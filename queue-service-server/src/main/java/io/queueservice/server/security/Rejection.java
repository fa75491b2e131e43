package io.queueservice.server.security;

/**
 * Why a request was refused before it reached its handler. Each reason has a fixed description that is
 * safe to send and to log: none quotes the token or anything taken from it.
 */
public enum Rejection {
    MISSING_TOKEN("missing_token", "this request needs a bearer token (Authorization: Bearer <JWT>)"),
    TOO_LARGE("too_large", "the token is larger than " + SecurityConfig.MAX_TOKEN_BYTES + " bytes"),
    MALFORMED("malformed", "the token is not a signed JWT"),
    UNSIGNED("unsigned", "unsigned tokens (alg none) are not accepted"),
    ALGORITHM("algorithm_not_accepted", "the token's signing algorithm is not accepted"),
    UNKNOWN_KEY("unknown_key", "no key known to the service matches the token"),
    BAD_SIGNATURE("bad_signature", "the token's signature is not valid"),
    EXPIRED("expired", "the token has expired"),
    NOT_YET_VALID("not_yet_valid", "the token is not valid yet (nbf)"),
    MISSING_CLAIM("missing_claim", "the token lacks a required claim (exp and sub are required)"),
    WRONG_ISSUER("wrong_issuer", "the token's issuer (iss) is not accepted"),
    WRONG_AUDIENCE("wrong_audience", "the token is not meant for this service (aud)"),
    REJECTED("rejected", "the token was rejected"),
    INSUFFICIENT_SCOPE("insufficient_scope", "the token lacks the scope this request needs"),
    RATE_LIMITED("rate_limited", "too many requests from this caller");

    private final String code;
    private final String description;

    Rejection(String code, String description) {
        this.code = code;
        this.description = description;
    }

    /** A short stable name, for logs and the metric's {@code reason} label. */
    public String code() {
        return code;
    }

    /** What the client is told. */
    public String description() {
        return description;
    }
}
