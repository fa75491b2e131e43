package io.queueservice.broker;

import java.util.Locale;

/** RabbitMQ queue types ({@code x-queue-type}). */
public enum QueueType {
    CLASSIC,
    QUORUM,
    STREAM;

    public String amqpName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
