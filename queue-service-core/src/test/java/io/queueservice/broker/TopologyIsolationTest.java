package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which queue declarations run on a connection of their own. Found by the hostile-input fuzzer
 * (HostileInputIT): once a delete had raced a declare of the same quorum queue, RabbitMQ 3.10 answered
 * every later declaration of that name with a connection error (541 INTERNAL_ERROR, cluster_not_formed),
 * which took the shared admin connection down, and with it every other client's request in flight.
 */
class TopologyIsolationTest {
    @Test
    void quorumAndStreamDeclarationsAreIsolatedClassicOnesAreNot() {
        assertThat(QueueDeclaration.replicated(QueueSpec.durable("q").amqpArguments()))
                .isFalse();
        assertThat(QueueDeclaration.replicated(Map.of("x-queue-type", "classic")))
                .isFalse();
        assertThat(QueueDeclaration.replicated(Map.of("x-queue-type", "quorum")))
                .isTrue();
        assertThat(QueueDeclaration.replicated(Map.of("x-queue-type", "stream")))
                .isTrue();
        assertThat(QueueDeclaration.replicated(
                        QueueSpec.builder("q").type(QueueType.QUORUM).build().amqpArguments()))
                .isTrue();
    }
}
