package io.queueservice.server.api;

import io.queueservice.server.security.AccessControl;
import io.queueservice.server.security.Caller;
import io.queueservice.server.security.Scope;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/**
 * The first handler of every route: names the route for the request metrics, then lets the request through
 * {@link AccessControl} (401, 429, 403) before its body is read, so that a caller without the right token
 * never makes the service read a large body. (A security-policy handler: Vert.x Web runs those first.)
 *
 * <p>Verifying a token against a JWK set may wait for the network: then the check runs on a worker thread,
 * the request paused meanwhile so none of its body is lost.
 */
final class AccessCheck implements SecurityPolicyHandler {
    private static final String CALLER = "qs.caller";
    private static final String ROUTE = "qs.route";

    private final AccessControl access;
    private final String template;
    private final Scope scope;

    /**
     * @param template the route's path template, the {@code route} label of its request metrics
     * @param scope what the caller's token needs; null for a route open to all
     */
    AccessCheck(AccessControl access, String template, Scope scope) {
        this.access = access;
        this.template = template;
        this.scope = scope;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.put(ROUTE, template);
        if (scope == null || !access.mayBlock()) {
            ctx.put(CALLER, check(ctx));
            ctx.next();
            return;
        }
        ctx.request().pause();
        ctx.vertx().<Caller>executeBlocking(() -> check(ctx), false).onComplete(result -> {
            if (result.failed()) {
                ctx.fail(result.cause());
            } else {
                ctx.put(CALLER, result.result());
                ctx.next();
            }
        });
    }

    private Caller check(RoutingContext ctx) {
        try (RequestIds.LogScope ignored = RequestIds.logContext(ctx)) {
            SocketAddress address = ctx.request().remoteAddress();
            return access.check(
                    scope,
                    ctx.request().getHeader("Authorization"),
                    address == null ? "unknown" : address.hostAddress());
        }
    }

    /** The caller the route's check let through; null on routes open to all. */
    static Caller caller(RoutingContext ctx) {
        return ctx.get(CALLER);
    }

    /** The template of the route that served the request, or {@link HttpMetrics#UNMATCHED}. */
    static String route(RoutingContext ctx) {
        return ctx.get(ROUTE, HttpMetrics.UNMATCHED);
    }
}
