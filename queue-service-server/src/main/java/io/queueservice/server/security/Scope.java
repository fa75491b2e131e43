package io.queueservice.server.security;

/**
 * What a route needs from the caller's token, declared next to the route (see {@code HttpApi}). Scopes
 * come from the token's {@code scope} claim (space-separated, OAuth 2.0 style) or {@code scp} claim.
 */
public enum Scope {
    /**
     * {@code publish} (any exchange) or {@code publish:<exchange>}; the exchange is known once the body is
     * read, so the route only checks that the caller may publish somewhere, and the handler checks the
     * exchange with {@link AccessControl#checkPublish}.
     */
    PUBLISH("publish"),
    /** Reading queue information. {@code topology:write} includes it. */
    TOPOLOGY_READ("topology:read"),
    /** Declaring and deleting exchanges, queues and bindings, and purging queues. */
    TOPOLOGY_WRITE("topology:write"),
    /** Reading push subscriptions. {@code subscriptions:write} includes it. */
    SUBSCRIPTIONS_READ("subscriptions:read"),
    /** Creating, changing, pausing, resuming and deleting push subscriptions. */
    SUBSCRIPTIONS_WRITE("subscriptions:write"),
    /** {@code /metrics}, when {@code METRICS_AUTH=true}. */
    METRICS_READ("metrics:read");

    /** In {@code publish:<exchange>}, the name that stands for the default exchange (whose name is empty). */
    public static final String DEFAULT_EXCHANGE = "amq.default";

    private final String value;

    Scope(String value) {
        this.value = value;
    }

    /** The scope as written in tokens. */
    public String value() {
        return value;
    }

    /** The scope that allows publishing to this exchange alone. */
    public static String publishTo(String exchange) {
        return "publish:" + (exchange.isEmpty() ? DEFAULT_EXCHANGE : exchange);
    }
}
