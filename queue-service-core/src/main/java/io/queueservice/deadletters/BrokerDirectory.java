package io.queueservice.deadletters;

import java.util.List;
import java.util.Optional;

/**
 * Everything the virtual host holds that dead-lettering depends on: its queues with their dead-letter settings,
 * its exchanges and its bindings. AMQP cannot list them; RabbitMQ's management API can (the server implements
 * this interface with it).
 */
public interface BrokerDirectory {
    /**
     * A queue and where it dead-letters to, from its arguments or else its policy.
     *
     * @param deadLetterExchange empty when the queue does not dead-letter
     * @param deadLetterRoutingKey empty when dead letters keep their own routing keys
     */
    record QueueEntry(String name, Optional<String> deadLetterExchange, Optional<String> deadLetterRoutingKey) {}

    /** @param type {@code direct}, {@code fanout}, {@code topic}, {@code headers} or a plugin's type */
    record ExchangeEntry(String name, String type) {}

    /**
     * A binding of {@code source} to a queue or, when {@code toExchange}, to another exchange.
     *
     * @param source the exchange ("" for the default exchange, whose implicit bindings are not listed)
     */
    record BindingEntry(String source, String destination, boolean toExchange, String routingKey) {}

    /** What the virtual host holds now. */
    record Snapshot(List<QueueEntry> queues, List<ExchangeEntry> exchanges, List<BindingEntry> bindings) {
        public Snapshot {
            queues = List.copyOf(queues);
            exchanges = List.copyOf(exchanges);
            bindings = List.copyOf(bindings);
        }
    }

    /**
     * Reads the virtual host.
     *
     * @throws io.queueservice.broker.BrokerException when it cannot be read now
     */
    Snapshot read();
}
