package io.queueservice.server.api;

import io.queueservice.server.push.SubscriptionOperations;
import io.queueservice.server.push.SubscriptionRequest;
import io.queueservice.server.push.SubscriptionView;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Push subscriptions: {@code /api/v1/subscriptions}. Every method waits for the broker (the definitions
 * log, the queue's existence): they run on worker threads, never on an event loop.
 */
final class SubscriptionHandler {
    record Subscriptions(List<SubscriptionView> subscriptions) {}

    private final SubscriptionOperations subscriptions;

    SubscriptionHandler(SubscriptionOperations subscriptions) {
        this.subscriptions = subscriptions;
    }

    void list(RoutingContext ctx) {
        Json.write(ctx, 200, new Subscriptions(subscriptions.list()));
    }

    /** 201 with the signing secret in clear: the only answer that shows it. */
    void create(RoutingContext ctx) {
        Json.write(ctx, 201, subscriptions.create(JsonBodies.read(ctx, SubscriptionRequest.class)));
    }

    void get(RoutingContext ctx) {
        Json.write(ctx, 200, subscriptions.get(ctx.pathParam("name")));
    }

    void update(RoutingContext ctx) {
        Json.write(
                ctx, 200, subscriptions.update(ctx.pathParam("name"), JsonBodies.read(ctx, SubscriptionRequest.class)));
    }

    void delete(RoutingContext ctx) {
        subscriptions.delete(ctx.pathParam("name"));
        ctx.response().setStatusCode(204).end();
    }

    void pause(RoutingContext ctx) {
        Json.write(ctx, 200, subscriptions.pause(ctx.pathParam("name")));
    }

    void resume(RoutingContext ctx) {
        Json.write(ctx, 200, subscriptions.resume(ctx.pathParam("name")));
    }
}
