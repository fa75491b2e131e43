package io.queueservice.server.api;

import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.deadletters.Failure.Address;
import io.queueservice.redrive.RedriveOperations;
import io.queueservice.redrive.RedriveRequest;
import io.queueservice.redrive.RedriveStatus;
import io.queueservice.server.api.DeadLetterViews.Destination;
import io.queueservice.server.api.DeadLetterViews.Redrive;
import io.queueservice.server.api.DeadLetterViews.Redrives;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code POST /api/v1/queues/{name}/redrive}, {@code GET /api/v1/redrives}, {@code GET} and {@code DELETE
 * /api/v1/redrives/{id}}. Starting waits for the broker (it takes the queue's lock): a worker thread.
 */
final class RedriveHandler {
    private static final String BASE = "/api/v1/redrives/";

    /** The body of {@code POST /api/v1/queues/{name}/redrive}; every field may be left out, as the body itself. */
    record RedriveBody(Long limit, Destination destination, Integer ratePerSecond) {
        RedriveRequest toRequest() {
            List<Violation> v = new ArrayList<>();
            if (destination != null) {
                if (destination.exchange() == null) {
                    v.add(new Violation("destination.exchange", "is required (\"\" for the default exchange)"));
                }
                if (destination.routingKey() == null) {
                    v.add(new Violation("destination.routingKey", "is required (it may be \"\")"));
                }
            }
            InvalidRequestException.throwIfAny(v);
            RedriveRequest r = new RedriveRequest(
                    limit == null ? OptionalLong.empty() : OptionalLong.of(limit),
                    Optional.ofNullable(destination).map(d -> new Address(d.exchange(), d.routingKey())),
                    ratePerSecond == null ? RedriveRequest.DEFAULT_RATE : ratePerSecond);
            r.validate();
            return r;
        }
    }

    private final RedriveOperations redrives;

    RedriveHandler(RedriveOperations redrives) {
        this.redrives = redrives;
    }

    static String url(String id) {
        return BASE + id;
    }

    /** 202 with the redrive's status and its URL (also in Location). */
    void start(RoutingContext ctx) {
        RedriveBody body = BodyReader.body(ctx).length == 0
                ? new RedriveBody(null, null, null)
                : JsonBodies.read(ctx, RedriveBody.class);
        RedriveStatus started = redrives.start(ctx.pathParam("name"), body.toRequest());
        ctx.response().putHeader("Location", url(started.id()));
        Json.write(ctx, 202, Redrive.of(started));
    }

    void list(RoutingContext ctx) {
        Json.write(
                ctx, 200, new Redrives(redrives.list().stream().map(Redrive::of).toList()));
    }

    void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        RedriveStatus s = redrives.find(id).orElseThrow(() -> notFound(id));
        Json.write(ctx, 200, Redrive.of(s));
    }

    /** Asks the redrive to stop; 202: it stops once what it has in flight is settled (follow it with GET). */
    void cancel(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (redrives.find(id).isEmpty()) {
            throw notFound(id);
        }
        Json.write(ctx, 202, Redrive.of(redrives.cancel(id)));
    }

    /** A redrive is known to the instance that started it, until that instance stops (docs/dead-letters.md). */
    private static ResourceNotFoundException notFound(String id) {
        return new ResourceNotFoundException("redrive", id);
    }
}
