package io.queueservice.server.api;

import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.config.ConfigReader;
import io.queueservice.delay.DelayConfig;
import io.queueservice.delay.ScheduledMessage;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.validation.InvalidRequestException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Delays for API tests without a broker: the real names and checks, and a scheduled message or a refusal. */
final class TestDelays implements Delays {
    private final DelayConfig config = DelayConfig.from(new ConfigReader(Map.of()), null);
    private final boolean available;

    private TestDelays(boolean available) {
        this.available = available;
    }

    /** Schedules as the service does, without the delay machinery's envelope: the message as it is. */
    static Delays scheduling() {
        return new TestDelays(true);
    }

    /** Refuses to schedule, as the service does while its delay queues are not declared. */
    static Delays unavailable() {
        return new TestDelays(false);
    }

    @Override
    public ScheduledMessage schedule(OutgoingMessage message, Duration delay) {
        config.checkDelay(delay).ifPresent(v -> {
            throw new InvalidRequestException(v.field(), v.message());
        });
        if (!available) {
            throw new BrokerUnavailableException("delayed delivery is not available now", Duration.ofSeconds(1));
        }
        return new ScheduledMessage(
                message, message.properties().getMessageId(), Instant.now().plus(delay));
    }

    @Override
    public boolean isReserved(String exchange, String routingKey) {
        return config.levels().isReserved(exchange, routingKey);
    }
}
