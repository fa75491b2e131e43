package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message of {@code queue} as the broker delivered it, with what settles it on its channel: acknowledged or
 * handed back exactly once.
 */
record Delivery(
        String queue, Acknowledger acknowledger, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
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
        settle(Acknowledger::ack);
    }

    /** Back to the queue as it was, attempt count unchanged. */
    void requeue() {
        settle(Acknowledger::requeue);
    }

    @FunctionalInterface
    private interface Settlement {
        void apply(Acknowledger acknowledger, long tag) throws IOException;
    }

    /** An ack or nack; when the channel is gone, the broker redelivers the message anyway. */
    private void settle(Settlement settlement) {
        try {
            settlement.apply(acknowledger, envelope.getDeliveryTag());
        } catch (IOException | RuntimeException e) {
            log.debug(
                    "could not settle delivery {} of '{}' ({}); the broker will redeliver it",
                    envelope.getDeliveryTag(),
                    queue,
                    e.toString());
        }
    }
}
