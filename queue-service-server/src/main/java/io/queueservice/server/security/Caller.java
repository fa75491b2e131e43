package io.queueservice.server.security;

import java.util.Set;

/**
 * Who made a request: the subject of a verified token and its scopes, or, with {@code AUTH_MODE=none},
 * an anonymous caller that may do everything.
 *
 * @param subject the token's {@code sub}; with {@code AUTH_MODE=none}, {@code anonymous}
 * @param scopes the token's scopes
 * @param unrestricted true only with {@code AUTH_MODE=none}
 */
public record Caller(String subject, Set<String> scopes, boolean unrestricted) {
    public Caller {
        scopes = Set.copyOf(scopes);
    }

    static Caller anonymous() {
        return new Caller("anonymous", Set.of(), true);
    }

    /** Whether the caller has what a route needs (for {@link Scope#PUBLISH}: may publish somewhere). */
    public boolean allows(Scope scope) {
        if (unrestricted) {
            return true;
        }
        return switch (scope) {
            case PUBLISH ->
                scopes.contains(Scope.PUBLISH.value()) || scopes.stream().anyMatch(s -> s.startsWith("publish:"));
            case TOPOLOGY_READ ->
                scopes.contains(Scope.TOPOLOGY_READ.value()) || scopes.contains(Scope.TOPOLOGY_WRITE.value());
            case SUBSCRIPTIONS_READ ->
                scopes.contains(Scope.SUBSCRIPTIONS_READ.value()) || scopes.contains(Scope.SUBSCRIPTIONS_WRITE.value());
            case TOPOLOGY_WRITE, SUBSCRIPTIONS_WRITE, METRICS_READ -> scopes.contains(scope.value());
        };
    }

    /** {@code publish}, or {@code publish:<exchange>} ({@code publish:amq.default} for the default exchange). */
    public boolean mayPublishTo(String exchange) {
        return unrestricted || scopes.contains(Scope.PUBLISH.value()) || scopes.contains(Scope.publishTo(exchange));
    }
}
