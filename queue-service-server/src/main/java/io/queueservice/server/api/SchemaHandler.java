package io.queueservice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.queueservice.broker.AmqpNames;
import io.queueservice.server.schemas.MessageSchemas;
import io.queueservice.server.schemas.SchemaTarget;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Message schemas: {@code /api/v1/schemas} and {@code /api/v1/schemas/{exchange}} (with {@code ?routingKey=}
 * for the schema of one routing key). Writes wait for the schema store: they run on worker threads.
 */
final class SchemaHandler {
    private static final String ROUTING_KEY = "routingKey";

    /** The body of {@code PUT /api/v1/schemas/{exchange}}. */
    record SchemaRequest(String routingKey, JsonNode schema) {}

    /** A schema as answered; {@code routingKey} absent when it applies to any. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SchemaView(String exchange, String routingKey, JsonNode schema, String updatedAt) {
        static SchemaView of(MessageSchemas.Defined d) {
            return new SchemaView(
                    d.target().exchange(),
                    d.target().routingKey().orElse(null),
                    d.schema(),
                    d.updatedAt().toString());
        }
    }

    record SchemaList(List<SchemaView> schemas) {}

    private final MessageSchemas schemas;

    SchemaHandler(MessageSchemas schemas) {
        this.schemas = schemas;
    }

    void list(RoutingContext ctx) {
        Json.write(
                ctx,
                200,
                new SchemaList(schemas.list().stream().map(SchemaView::of).toList()));
    }

    void get(RoutingContext ctx) {
        SchemaTarget target = target(ctx, queryRoutingKey(ctx));
        Json.write(ctx, 200, SchemaView.of(schemas.require(target)));
    }

    /** 201 when the target had no schema, 200 when its schema was replaced. */
    void put(RoutingContext ctx) {
        if (!ctx.queryParam(ROUTING_KEY).isEmpty()) {
            throw new InvalidRequestException(
                    ROUTING_KEY, "goes in the body of a PUT, not in its query (?routingKey= is for GET and DELETE)");
        }
        SchemaRequest request = JsonBodies.read(ctx, SchemaRequest.class);
        List<Violation> v = new ArrayList<>();
        String exchange = exchange(ctx, v);
        if (request.routingKey() != null) {
            AmqpNames.checkShortString(ROUTING_KEY, request.routingKey(), v);
        }
        if (request.schema() == null || request.schema().isNull()) {
            v.add(new Violation("schema", "is required: a JSON Schema (2020-12), as a JSON object"));
        } else if (!request.schema().isObject()) {
            v.add(new Violation("schema", "must be a JSON object: a JSON Schema (2020-12)"));
        }
        InvalidRequestException.throwIfAny(v);
        SchemaTarget target = new SchemaTarget(exchange, Optional.ofNullable(request.routingKey()));
        boolean created = schemas.define(target, request.schema());
        Json.write(ctx, created ? 201 : 200, SchemaView.of(schemas.require(target)));
    }

    void delete(RoutingContext ctx) {
        schemas.delete(target(ctx, queryRoutingKey(ctx)));
        ctx.response().setStatusCode(204).end();
    }

    private static SchemaTarget target(RoutingContext ctx, Optional<String> routingKey) {
        List<Violation> v = new ArrayList<>();
        String exchange = exchange(ctx, v);
        routingKey.ifPresent(k -> AmqpNames.checkShortString(ROUTING_KEY, k, v));
        InvalidRequestException.throwIfAny(v);
        return new SchemaTarget(exchange, routingKey);
    }

    private static String exchange(RoutingContext ctx, List<Violation> v) {
        String exchange = ctx.pathParam("exchange");
        if (exchange == null || exchange.isEmpty()) {
            v.add(new Violation("exchange", "is required"));
            return "";
        }
        AmqpNames.checkShortString("exchange", exchange, v);
        return exchange;
    }

    /** {@code ?routingKey=}: absent for the schema of any routing key; given once, possibly empty. */
    private static Optional<String> queryRoutingKey(RoutingContext ctx) {
        List<String> values = ctx.queryParam(ROUTING_KEY);
        if (values.size() > 1) {
            throw new InvalidRequestException(ROUTING_KEY, "must be given at most once");
        }
        return values.stream().findFirst();
    }
}
