package io.queueservice.broker;

import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A binding of a queue to an exchange.
 *
 * @param routingKey the binding key; for topic exchanges a pattern such as {@code *.error}
 * @param arguments binding arguments (headers exchanges match on them), as AMQP field values
 */
public record BindingSpec(String queue, String exchange, String routingKey, Map<String, Object> arguments) {

    public BindingSpec {
        routingKey = routingKey == null ? "" : routingKey;
        arguments = FieldValues.copyOf(arguments);
    }

    /** @throws InvalidRequestException listing every rule this spec breaks */
    public void validate() {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkReference("queue", queue, v);
        if (exchange != null && exchange.isEmpty()) {
            v.add(new Violation(
                    "exchange",
                    "the default exchange cannot be bound: it routes to the queue named by the routing key by itself"));
        } else {
            AmqpNames.checkReference("exchange", exchange, v);
        }
        AmqpNames.checkShortString("routingKey", routingKey, v);
        FieldValues.checkTable("arguments", arguments, v);
        InvalidRequestException.throwIfAny(v);
    }
}
