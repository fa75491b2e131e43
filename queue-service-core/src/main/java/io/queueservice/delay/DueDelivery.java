package io.queueservice.delay;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Envelope;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.worker.FailureHeaders;
import java.util.function.BooleanSupplier;

/** One message the {@link DelayDispatcher} took from the due queue, until it is settled. */
final class DueDelivery {
    final Channel channel;
    final long tag;
    final Envelope envelope;
    final AMQP.BasicProperties properties;
    final byte[] body;
    private final BooleanSupplier stopping;
    DelayEnvelope.Unwrapped unwrapped;
    int attempts;

    /** @param stopping whether the dispatcher is stopping, after which nothing is settled any more */
    DueDelivery(
            Channel channel,
            Envelope envelope,
            AMQP.BasicProperties properties,
            byte[] body,
            BooleanSupplier stopping) {
        this.channel = channel;
        this.tag = envelope.getDeliveryTag();
        this.envelope = envelope;
        this.properties = properties;
        this.body = body;
        this.stopping = stopping;
    }

    /**
     * The properties of its copy in the delay dead-letter queue: its own, with the failure headers saying why
     * and where it was going (the intended target when its envelope could be read).
     */
    AMQP.BasicProperties deadLettered(String why) {
        OutgoingMessage intended = unwrapped == null ? null : unwrapped.message();
        return intended != null
                ? FailureHeaders.deadLettered(intended.properties(), intended.exchange(), intended.routingKey(), why)
                : FailureHeaders.deadLettered(
                        DelayEnvelope.publishable(properties), envelope.getExchange(), envelope.getRoutingKey(), why);
    }

    /** Still ours to settle: the channel it came on is open and the dispatcher is not stopping. */
    boolean live() {
        return channel.isOpen() && !stopping.getAsBoolean();
    }
}
