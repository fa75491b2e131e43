package io.queueservice.publish;

import com.rabbitmq.client.AMQP;
import java.util.Objects;

/**
 * A message to publish.
 *
 * @param exchange "" for the default exchange, which routes to the queue named by the routing key
 * @param mandatory when true, a message no queue receives is reported ({@link UnroutableMessageException})
 *     instead of being dropped by the broker
 */
public record OutgoingMessage(
        String exchange, String routingKey, byte[] body, AMQP.BasicProperties properties, boolean mandatory) {

    public OutgoingMessage {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(properties, "properties");
    }
}
