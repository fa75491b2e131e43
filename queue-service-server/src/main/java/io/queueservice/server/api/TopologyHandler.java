package io.queueservice.server.api;

import io.javalin.http.Context;
import io.javalin.http.NotImplementedResponse;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.Topology;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.server.api.TopologyRequests.BindingRequest;
import io.queueservice.server.api.TopologyRequests.ExchangeRequest;
import io.queueservice.server.api.TopologyRequests.QueueRequest;
import java.util.List;

/** Queues, exchanges and bindings: {@code /api/v1/exchanges}, {@code /api/v1/queues}, {@code /api/v1/bindings}. */
final class TopologyHandler {
    record Declared(String name, boolean created) {}

    /** @param type the type asked for (explicitly or by DEFAULT_QUEUE_TYPE); null (left out): the broker's default */
    record DeclaredQueue(String name, boolean created, String type) {}

    record Deleted(String name, long messages) {}

    record Binding(String queue, String exchange, String routingKey) {}

    private final Topology topology;
    private final QueueDepths depths;
    private final ManagementApi management;
    private final JsonBodies bodies;

    record Queues(List<ManagementApi.QueueSummary> queues) {}

    /**
     * @param depths reports the depth of the queues declared here, on {@code /metrics}
     * @param management lists queues; null when not configured
     */
    TopologyHandler(Topology topology, QueueDepths depths, ManagementApi management, JsonBodies bodies) {
        this.topology = topology;
        this.depths = depths;
        this.management = management;
        this.bodies = bodies;
    }

    /** Every queue of the virtual host, from the management API (AMQP has no way to list them). */
    void listQueues(Context ctx) {
        if (management == null) {
            throw new NotImplementedResponse(
                    "listing queues needs the RabbitMQ management API: set RABBITMQ_MANAGEMENT_URL"
                            + " (for instance http://localhost:15672); one queue at a time is GET /api/v1/queues/{name}");
        }
        ctx.json(new Queues(management.queues()));
    }

    /** 201 when created, 200 when it already existed with the same settings. */
    void declareExchange(Context ctx) {
        var spec = bodies.read(ctx, ExchangeRequest.class).toSpec();
        boolean created = topology.declareExchange(spec);
        ctx.status(created ? 201 : 200).json(new Declared(spec.name(), created));
    }

    void deleteExchange(Context ctx) {
        topology.deleteExchange(ctx.pathParam("name"), flag(ctx, "ifUnused"));
        ctx.status(204);
    }

    /**
     * 201 when created, 200 when it already existed with the same settings (the broker checks the type
     * too); the answer says which type was asked for.
     */
    void declareQueue(Context ctx) {
        var spec = bodies.read(ctx, QueueRequest.class)
                .toSpec(topology.defaultQueueType().orElse(null));
        boolean created = topology.declareQueue(spec);
        depths.watch(spec.name());
        QueueType type = spec.effectiveType();
        ctx.status(created ? 201 : 200)
                .json(new DeclaredQueue(spec.name(), created, type == null ? null : type.amqpName()));
    }

    void getQueue(Context ctx) {
        QueueInfo info = topology.queueInfo(ctx.pathParam("name"));
        ctx.json(info);
    }

    void deleteQueue(Context ctx) {
        String name = ctx.pathParam("name");
        long messages = topology.deleteQueue(name, flag(ctx, "ifUnused"), flag(ctx, "ifEmpty"));
        depths.forget(name);
        ctx.json(new Deleted(name, messages));
    }

    void purgeQueue(Context ctx) {
        String name = ctx.pathParam("name");
        ctx.json(new Deleted(name, topology.purgeQueue(name)));
    }

    void bind(Context ctx) {
        var spec = bodies.read(ctx, BindingRequest.class).toSpec();
        topology.bind(spec);
        ctx.status(201).json(new Binding(spec.queue(), spec.exchange(), spec.routingKey()));
    }

    void unbind(Context ctx) {
        topology.unbind(bodies.read(ctx, BindingRequest.class).toSpec());
        ctx.status(204);
    }

    /** A boolean query parameter: absent is false; anything but true or false is refused. */
    private static boolean flag(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new InvalidRequestException(name, "must be true or false but was '" + value + "'");
    }
}
