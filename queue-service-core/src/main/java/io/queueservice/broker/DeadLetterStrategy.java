package io.queueservice.broker;

/**
 * How a quorum queue dead-letters ({@code x-dead-letter-strategy}).
 *
 * <p>{@link #AT_MOST_ONCE} (RabbitMQ's default) drops the message from the queue as it dead-letters it,
 * without waiting for the dead-letter target to confirm it: a target that is down or full loses it.
 * {@link #AT_LEAST_ONCE} keeps it in the source queue until the target confirmed it; RabbitMQ needs the
 * queue's overflow to be {@code reject-publish} for that (it would silently fall back otherwise), and a
 * dead-letter exchange.
 */
public enum DeadLetterStrategy {
    AT_MOST_ONCE("at-most-once"),
    AT_LEAST_ONCE("at-least-once");

    private final String amqpName;

    DeadLetterStrategy(String amqpName) {
        this.amqpName = amqpName;
    }

    public String amqpName() {
        return amqpName;
    }
}
