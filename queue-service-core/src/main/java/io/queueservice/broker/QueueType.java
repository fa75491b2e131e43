package io.queueservice.broker;

import io.queueservice.config.ConfigReader;
import java.util.Locale;

/** RabbitMQ queue types ({@code x-queue-type}). */
public enum QueueType {
    CLASSIC,
    QUORUM,
    STREAM;

    /** The setting that chooses the type of the queues declared without one. */
    public static final String DEFAULT_SETTING = "DEFAULT_QUEUE_TYPE";

    public String amqpName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads {@value #DEFAULT_SETTING}: {@code classic} or {@code quorum} (any case), the type of the queues the
     * service and the workers declare without one; unset means null, the broker's default (no {@code
     * x-queue-type} is sent, so a virtual host's own default type applies). A stream is no queue to work
     * from, so it is refused.
     */
    public static QueueType defaultFrom(ConfigReader env) {
        String raw = env.raw(DEFAULT_SETTING).orElse(null);
        if (raw == null) {
            return null;
        }
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "classic" -> CLASSIC;
            case "quorum" -> QUORUM;
            default -> {
                env.problem(
                        DEFAULT_SETTING,
                        "must be classic or quorum (or unset for the broker's default) but was '" + raw + "'");
                yield null;
            }
        };
    }
}
