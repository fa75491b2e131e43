package io.queueservice.server.api;

import io.javalin.http.Context;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.Topology;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.server.api.TopologyRequests.BindingRequest;
import io.queueservice.server.api.TopologyRequests.ExchangeRequest;
import io.queueservice.server.api.TopologyRequests.QueueRequest;

/** Queues, exchanges and bindings: {@code /api/v1/exchanges}, {@code /api/v1/queues}, {@code /api/v1/bindings}. */
final class TopologyHandler {
    record Declared(String name, boolean created) {}

    record Deleted(String name, long messages) {}

    record Binding(String queue, String exchange, String routingKey) {}

    private final Topology topology;
    private final QueueDepths depths;
    private final JsonBodies bodies;

    /** @param depths reports the depth of the queues declared here, on {@code /metrics} */
    TopologyHandler(Topology topology, QueueDepths depths, JsonBodies bodies) {
        this.topology = topology;
        this.depths = depths;
        this.bodies = bodies;
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

    /** 201 when created, 200 when it already existed with the same settings. */
    void declareQueue(Context ctx) {
        var spec = bodies.read(ctx, QueueRequest.class).toSpec();
        boolean created = topology.declareQueue(spec);
        depths.watch(spec.name());
        ctx.status(created ? 201 : 200).json(new Declared(spec.name(), created));
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
