package io.queueservice.server.api;

import io.queueservice.delay.DelayedDelivery;
import io.queueservice.delay.ScheduledMessage;
import io.queueservice.publish.OutgoingMessage;
import java.time.Duration;

/** What the publish routes need of delayed delivery; {@link DelayedDelivery} in the service. */
public interface Delays {
    /**
     * The message addressed to the delay machinery, due {@code delay} from now (see {@link
     * DelayedDelivery#schedule}).
     */
    ScheduledMessage schedule(OutgoingMessage message, Duration delay);

    /** Whether {@code exchange} and {@code routingKey} address the delay machinery itself. */
    boolean isReserved(String exchange, String routingKey);

    /** Delayed delivery as {@code delivery} does it. */
    static Delays of(DelayedDelivery delivery) {
        return new Delays() {
            @Override
            public ScheduledMessage schedule(OutgoingMessage message, Duration delay) {
                return delivery.schedule(message, delay);
            }

            @Override
            public boolean isReserved(String exchange, String routingKey) {
                return delivery.levels().isReserved(exchange, routingKey);
            }
        };
    }
}
