package io.queueservice.server.api;

import io.queueservice.server.security.AccessControl;
import io.queueservice.server.security.Scope;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Declares routes: each with its scope, its body, and the thread its handler runs on. The table itself is
 * in {@link HttpApi}; this is what one line of it sets up on the router, in order: the {@link AccessCheck},
 * the {@link BodyReader}, any further steps, then the handler.
 */
final class Routes {
    /** What a route reads before its handler runs: nothing, or a JSON body up to a limit. */
    record Body(BodyReader reader) {
        static final Body NONE = new Body(null);

        /** @param variable the setting of the limit, named in the answer to a body over it */
        static Body json(long limit, String variable) {
            return new Body(new BodyReader(limit, variable));
        }
    }

    /** Whether a route's handler may run on the event loop, or waits for the broker and runs on a worker. */
    enum Threading {
        EVENT_LOOP,
        WORKER
    }

    private final Router router;
    private final AccessControl access;
    private final List<HttpApi.DeclaredRoute> declared = new ArrayList<>();

    Routes(Router router, AccessControl access) {
        this.router = router;
        this.access = access;
    }

    /** What every route's {@link AccessCheck} asks; publishing asks it again once the exchange is known. */
    AccessControl access() {
        return access;
    }

    /** The routes declared so far, in the order declared. */
    List<HttpApi.DeclaredRoute> declared() {
        return declared;
    }

    /**
     * A publish route: {@code publish} scope, its body read, then the {@code Idempotency-Key} handled by
     * {@code idempotent}, then the handler, on the event loop.
     */
    void addPublish(String template, Body body, Handler<RoutingContext> idempotent, Handler<RoutingContext> handler) {
        add(HttpMethod.POST, template, Scope.PUBLISH, body, Threading.EVENT_LOOP, List.of(idempotent), handler);
    }

    /** A route open to all, without a body, answered on the event loop (health). */
    void addOpen(HttpMethod method, String template, Handler<RoutingContext> handler) {
        addOpen(method, template, Threading.EVENT_LOOP, handler);
    }

    /** A route open to all, without a body. */
    void addOpen(HttpMethod method, String template, Threading threading, Handler<RoutingContext> handler) {
        add(method, template, null, Body.NONE, threading, handler);
    }

    /**
     * @param template the path, with {@code {name}} for a parameter; also the {@code route} label of the
     *     request metrics
     * @param scope what the caller's token needs (null only from {@link #addOpen})
     */
    void add(
            HttpMethod method,
            String template,
            Scope scope,
            Body body,
            Threading threading,
            Handler<RoutingContext> handler) {
        add(method, template, scope, body, threading, List.of(), handler);
    }

    private void add(
            HttpMethod method,
            String template,
            Scope scope,
            Body body,
            Threading threading,
            List<Handler<RoutingContext>> steps,
            Handler<RoutingContext> handler) {
        declared.add(new HttpApi.DeclaredRoute(method.name(), template, Optional.ofNullable(scope)));
        Route route = router.route(method, template.replaceAll("\\{(\\w+)}", ":$1"));
        route.handler(new AccessCheck(access, template, scope));
        if (body.reader() != null) {
            route.handler(body.reader());
        }
        steps.forEach(route::handler);
        if (threading == Threading.WORKER) {
            route.blockingHandler(inLogContext(handler), false);
        } else {
            route.handler(handler);
        }
    }

    private static Handler<RoutingContext> inLogContext(Handler<RoutingContext> handler) {
        return ctx -> {
            try (RequestIds.LogScope ignored = RequestIds.logContext(ctx)) {
                handler.handle(ctx);
            }
        };
    }
}
