package io.queueservice.server.api;

import io.queueservice.broker.ManagementApi;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.server.NotConfiguredException;
import io.queueservice.server.api.TopologyRequests.BindingRequest;
import io.queueservice.server.api.TopologyRequests.ExchangeRequest;
import io.queueservice.server.api.TopologyRequests.QueueRequest;
import io.queueservice.validation.InvalidRequestException;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Queues, exchanges and bindings: {@code /api/v1/exchanges}, {@code /api/v1/queues}, {@code /api/v1/bindings}.
 * Every method waits for the broker: they run on worker threads, never on an event loop.
 */
final class TopologyHandler {
    record Declared(String name, boolean created) {}

    /** @param type the type asked for (explicitly or by DEFAULT_QUEUE_TYPE); null (left out): the broker's default */
    record DeclaredQueue(String name, boolean created, String type) {}

    record Deleted(String name, long messages) {}

    record Binding(String queue, String exchange, String routingKey) {}

    private final TopologyOperations topology;
    private final QueueDepths depths;
    private final Optional<ManagementApi> management;

    record Queues(List<ManagementApi.QueueSummary> queues) {}

    /**
     * @param depths reports the depth of the queues declared here, on {@code /metrics}
     * @param management lists queues; empty when not configured
     */
    TopologyHandler(TopologyOperations topology, QueueDepths depths, Optional<ManagementApi> management) {
        this.topology = topology;
        this.depths = depths;
        this.management = management;
    }

    /** Every queue of the virtual host, from the management API (AMQP has no way to list them). */
    void listQueues(RoutingContext ctx) {
        ManagementApi api = management.orElseThrow(() -> new NotConfiguredException(
                "listing queues needs the RabbitMQ management API: set RABBITMQ_MANAGEMENT_URL"
                        + " (for instance http://localhost:15672); one queue at a time is GET /api/v1/queues/{name}"));
        Json.write(ctx, 200, new Queues(api.queues()));
    }

    /** 201 when created, 200 when it already existed with the same settings. */
    void declareExchange(RoutingContext ctx) {
        var spec = JsonBodies.read(ctx, ExchangeRequest.class).toSpec();
        boolean created =
                inRequestTerms(() -> topology.declareExchange(spec), TopologyRequests.ExchangeRequest::jsonPath);
        Json.write(ctx, created ? 201 : 200, new Declared(spec.name(), created));
    }

    void deleteExchange(RoutingContext ctx) {
        topology.deleteExchange(ctx.pathParam("name"), flag(ctx, "ifUnused"));
        ctx.response().setStatusCode(204).end();
    }

    /**
     * 201 when created, 200 when it already existed with the same settings (the broker checks the type
     * too); the answer says which type was asked for.
     */
    void declareQueue(RoutingContext ctx) {
        var spec = JsonBodies.read(ctx, QueueRequest.class)
                .toSpec(topology.defaultQueueType().orElse(null));
        boolean created = inRequestTerms(() -> topology.declareQueue(spec), TopologyRequests.QueueRequest::jsonPath);
        depths.watch(spec.name());
        QueueType type = spec.effectiveType();
        Json.write(
                ctx,
                created ? 201 : 200,
                new DeclaredQueue(spec.name(), created, type == null ? null : type.amqpName()));
    }

    void getQueue(RoutingContext ctx) {
        QueueInfo info = topology.queueInfo(ctx.pathParam("name"));
        Json.write(ctx, 200, info);
    }

    void deleteQueue(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        long messages = topology.deleteQueue(name, flag(ctx, "ifUnused"), flag(ctx, "ifEmpty"));
        depths.forget(name);
        Json.write(ctx, 200, new Deleted(name, messages));
    }

    void purgeQueue(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Json.write(ctx, 200, new Deleted(name, topology.purgeQueue(name)));
    }

    void bind(RoutingContext ctx) {
        var spec = JsonBodies.read(ctx, BindingRequest.class).toSpec();
        topology.bind(spec);
        Json.write(ctx, 201, new Binding(spec.queue(), spec.exchange(), spec.routingKey()));
    }

    void unbind(RoutingContext ctx) {
        topology.unbind(JsonBodies.read(ctx, BindingRequest.class).toSpec());
        ctx.response().setStatusCode(204).end();
    }

    /** Runs {@code declaration}; the fields of what the library refuses named by their JSON path. */
    private static boolean inRequestTerms(BooleanSupplier declaration, UnaryOperator<String> jsonPath) {
        try {
            return declaration.getAsBoolean();
        } catch (InvalidRequestException e) {
            throw e.renamed(jsonPath);
        }
    }

    /** A boolean query parameter: absent is false; anything but true or false is refused. */
    private static boolean flag(RoutingContext ctx, String name) {
        List<String> values = ctx.queryParam(name);
        String value = values.isEmpty() ? null : values.get(0);
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new InvalidRequestException(name, "must be true or false but was '" + value + "'");
    }
}
