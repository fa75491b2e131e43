package io.queueservice.broker;

import java.util.Locale;

/** The exchange types RabbitMQ ships with. */
public enum ExchangeType {
    DIRECT,
    FANOUT,
    TOPIC,
    HEADERS;

    /** The name the broker uses: {@code direct}, {@code fanout}, ... */
    public String amqpName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
