package io.queueservice.delay;

import io.queueservice.broker.BindingSpec;
import io.queueservice.broker.DeadLetterStrategy;
import io.queueservice.broker.ExchangeSpec;
import io.queueservice.broker.ExchangeType;
import io.queueservice.broker.Overflow;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.Topology;
import java.util.Map;

/**
 * Declares the exchanges, queues and bindings of the delay levels (see {@link DelayLevels}). Idempotent: every
 * instance declares them when it connects, and declaring what exists alike changes nothing.
 *
 * <p>Quorum queues dead-letter from one level to the next {@code at-least-once} (RabbitMQ 3.10+): a message
 * stays in its level until the next one confirmed it, so a node failure between the two loses nothing. That
 * needs {@code reject-publish} overflow, which never applies here since the queues have no length limit.
 * Classic queues are durable, their messages persistent; their dead-lettering is at-most-once, as RabbitMQ
 * does it for classic queues (see docs/delayed-delivery.md).
 */
public final class DelayTopology {
    private DelayTopology() {}

    /**
     * Declares everything, bottom level first, so that a message routed by a level finds the next one.
     *
     * @throws io.queueservice.broker.ResourceConflictException when a queue exists with another type or other
     *     arguments (after a change of {@code DEFAULT_QUEUE_TYPE}, say)
     * @throws io.queueservice.broker.BrokerException when the broker is unreachable or refuses
     */
    public static void declare(Topology topology, DelayConfig config) {
        DelayLevels levels = config.levels();
        QueueType type = config.queueType();
        topology.declareQueue(plainQueue(levels.dueQueue(), type));
        topology.declareQueue(plainQueue(levels.deadLetterQueue(), type));
        for (int level = 0; level < DelayLevels.LEVELS; level++) {
            String name = levels.exchange(level);
            topology.declareExchange(ExchangeSpec.durable(name, ExchangeType.TOPIC));
            boolean bottom = level == 0;
            topology.declareQueue(levelQueue(
                    levels.queue(level),
                    type,
                    DelayLevels.ttl(level).toMillis(),
                    bottom ? "" : levels.exchange(level - 1),
                    bottom ? levels.dueQueue() : null));
            topology.bind(new BindingSpec(levels.queue(level), name, DelayLevels.pattern(level, 1), Map.of()));
            if (bottom) {
                topology.bind(new BindingSpec(levels.dueQueue(), name, DelayLevels.pattern(level, 0), Map.of()));
            } else {
                topology.bindExchange(levels.exchange(level - 1), name, DelayLevels.pattern(level, 0));
            }
        }
    }

    private static QueueSpec plainQueue(String name, QueueType type) {
        return QueueSpec.durable(name).withType(type);
    }

    private static QueueSpec levelQueue(
            String name, QueueType type, long ttlMillis, String deadLetterExchange, String deadLetterRoutingKey) {
        boolean quorum = type == QueueType.QUORUM;
        return QueueSpec.builder(name)
                .type(type)
                .deadLetterExchange(deadLetterExchange)
                .deadLetterRoutingKey(deadLetterRoutingKey)
                .messageTtl(ttlMillis)
                .overflow(quorum ? Overflow.REJECT_PUBLISH : null)
                .lazy(!quorum) // classic: keep the waiting messages on disk rather than in memory
                .deadLetterStrategy(quorum ? DeadLetterStrategy.AT_LEAST_ONCE : null)
                .build();
    }
}
