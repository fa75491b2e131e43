package io.queueservice.server.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.queueservice.server.security.Scope;
import java.util.Objects;
import java.util.Optional;

/**
 * The messages a schema applies to: those published to one exchange, with one routing key or with any.
 *
 * @param exchange the exchange's name; the default exchange (whose name is empty) is {@value
 *     Scope#DEFAULT_EXCHANGE}
 * @param routingKey the routing key, which may be empty; absent for every routing key
 */
public record SchemaTarget(String exchange, Optional<String> routingKey) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public SchemaTarget {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        exchange = exchange.isEmpty() ? Scope.DEFAULT_EXCHANGE : exchange;
    }

    /** The messages published to {@code exchange} with any routing key. */
    public static SchemaTarget anyRoutingKey(String exchange) {
        return new SchemaTarget(exchange, Optional.empty());
    }

    /** The messages published to {@code exchange} with {@code routingKey}. */
    public static SchemaTarget routingKey(String exchange, String routingKey) {
        return new SchemaTarget(exchange, Optional.of(routingKey));
    }

    /**
     * The name under which the store keeps it: a JSON array, {@code ["orders"]} or {@code ["orders","created"]},
     * which tells every exchange and routing key apart whatever characters they hold.
     */
    String storeName() {
        ArrayNode name = JSON.createArrayNode().add(exchange);
        routingKey.ifPresent(name::add);
        return name.toString();
    }

    /** The target named by {@link #storeName()}; empty when {@code name} is not one. */
    static Optional<SchemaTarget> fromStoreName(String name) {
        JsonNode node;
        try {
            node = JSON.readTree(name);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        if (node == null
                || !node.isArray()
                || node.isEmpty()
                || node.size() > 2
                || !node.get(0).isTextual()
                || (node.size() == 2 && !node.get(1).isTextual())) {
            return Optional.empty();
        }
        String exchange = node.get(0).textValue();
        return Optional.of(
                node.size() == 1
                        ? anyRoutingKey(exchange)
                        : routingKey(exchange, node.get(1).textValue()));
    }
}
