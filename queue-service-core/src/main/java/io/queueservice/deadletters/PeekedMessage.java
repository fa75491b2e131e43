package io.queueservice.deadletters;

import com.rabbitmq.client.AMQP;
import java.util.Map;
import java.util.Optional;

/**
 * One message looked at in a queue, and put back.
 *
 * @param exchange the exchange it reached the queue through ("" for the default exchange); for a dead letter,
 *     the dead-letter exchange or the toolkit's default-exchange copy, not where it was first published
 * @param routingKey the routing key it reached the queue with
 * @param redelivered whether the broker had delivered it before (every look sets it, see {@link MessageBrowser})
 * @param properties its AMQP properties; their headers are in {@code headers}, as plain values
 * @param headers its headers as plain values ({@link HeaderValues})
 * @param failure why it was dead-lettered, when its headers say
 */
public record PeekedMessage(
        String exchange,
        String routingKey,
        boolean redelivered,
        AMQP.BasicProperties properties,
        Map<String, Object> headers,
        MessageBody body,
        Optional<Failure> failure) {}
