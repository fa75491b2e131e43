package io.queueservice.server.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router before any route is declared on it: what every request goes through first (its id, its log
 * context while its handlers run, its metrics and its debug log line once answered), and where failures go
 * ({@link Problems}, for exceptions and for the statuses the router answers itself).
 */
final class ApiRouter {
    private static final Logger requestLog = LoggerFactory.getLogger("io.queueservice.server.requests");

    private ApiRouter() {}

    /** A router with the handlers every request goes through, and no route yet. */
    static Router create(Vertx vertx, MeterRegistry registry) {
        Router router = Router.router(vertx);
        HttpMetrics httpMetrics = new HttpMetrics(registry);

        // Every request: its id, its log context while its handlers run, and its metrics once answered.
        router.route().handler(ctx -> {
            long started = System.nanoTime();
            RequestIds.assign(ctx);
            ctx.addEndHandler(done -> finished(ctx, httpMetrics, started));
            try (RequestIds.LogScope ignored = RequestIds.logContext(ctx)) {
                ctx.next();
            }
        });
        router.route().failureHandler(Problems::handle);
        for (int status : new int[] {400, 404, 405}) { // a path it cannot decode, no route for path or method
            router.errorHandler(status, Problems.forStatus(status));
        }
        return router;
    }

    private static void finished(RoutingContext ctx, HttpMetrics metrics, long startedNanos) {
        long nanos = System.nanoTime() - startedNanos;
        int status = ctx.response().getStatusCode();
        metrics.record(ctx.request().method(), AccessCheck.route(ctx), status, nanos);
        if (requestLog.isDebugEnabled()) {
            try (RequestIds.LogScope ignored = RequestIds.logContext(ctx)) {
                requestLog.debug(
                        "{} {} {} {}ms", ctx.request().method(), ctx.request().path(), status, nanos / 1_000_000);
            }
        }
    }
}
