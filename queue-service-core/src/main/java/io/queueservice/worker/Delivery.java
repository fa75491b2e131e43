package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message of {@code queue} as the broker delivered it, with the channel that must settle it: acknowledged
 * or handed back exactly once.
 */
record Delivery(String queue, Channel channel, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
    // The worker's logger: one name for everything a worker logs, whichever class does the work.
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** The attempt number of this delivery: 1 unless a worker retried it. */
    int attempt() {
        return FailureHeaders.attempt(properties);
    }

    /** The message as the handler sees it. */
    Message message() {
        return new Message(
                body,
                properties.getHeaders(),
                properties.getMessageId(),
                properties.getContentType(),
                FailureHeaders.originalExchange(properties, envelope),
                FailureHeaders.originalRoutingKey(properties, envelope),
                attempt(),
                envelope.isRedeliver());
    }

    /** Done with: the broker removes it from the queue. */
    void ack() {
        settle(c -> c.basicAck(envelope.getDeliveryTag(), false));
    }

    /** Back to the queue as it was, attempt count unchanged. */
    void requeue() {
        settle(c -> c.basicNack(envelope.getDeliveryTag(), false, true));
    }

    @FunctionalInterface
    private interface ChannelAction {
        void run(Channel channel) throws IOException;
    }

    /** An ack or nack; when the channel is gone, the broker redelivers the message anyway. */
    private void settle(ChannelAction action) {
        try {
            action.run(channel);
        } catch (IOException | RuntimeException e) {
            log.debug(
                    "could not settle delivery {} of '{}' ({}); the broker will redeliver it",
                    envelope.getDeliveryTag(),
                    queue,
                    e.toString());
        }
    }
}
