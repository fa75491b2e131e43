package io.queueservice.deadletters;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.deadletters.DeadLetterRouting.Via;
import io.queueservice.testing.FakeTopology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the catalog lists from what this instance knows, with a fake broker: no broker needed. */
class DeadLetterCatalogTest {
    /** Queues that exist, with their depth; anything else does not. */
    private static TopologyOperations broker(Map<String, Long> depths) {
        return new FakeTopology(depths);
    }

    private static Optional<BrokerDirectory> failingDirectory() {
        return Optional.of(() -> {
            throw new BrokerUnavailableException(
                    "the RabbitMQ management API cannot be reached", Duration.ofSeconds(5));
        });
    }

    @Test
    void whatThisInstanceDeclaredConsumedAndRegisteredIsListedWhenTheQueuesExist() {
        TopologyOperations topology = broker(Map.of(
                "emails",
                0L,
                "emails.dlq",
                2L,
                "orders",
                0L,
                "orders-dead",
                5L,
                "qs.delay.dlq",
                0L,
                "hooks.dlq",
                1L,
                "qs.delay.due",
                0L));
        KnownTopology known = new KnownTopology();
        known.consumed("emails");
        known.machinery("qs.delay");
        known.register("qs.delay.dlq", "qs.delay.due");
        known.subscriptions(() -> List.of("hooks", "gone"));
        TopologyOperations api = known.recording(topology);
        api.declareQueue(QueueSpec.builder("orders")
                .deadLetterExchange("")
                .deadLetterRoutingKey("orders-dead")
                .build());
        api.declareQueue(QueueSpec.builder("qs.delay.level.01")
                .deadLetterExchange("")
                .deadLetterRoutingKey("qs.delay.due")
                .build());

        DeadLetterListing listing = new DeadLetterCatalog(topology, known, Optional.empty(), null).deadLetterQueues();

        assertThat(listing.complete()).isFalse();
        assertThat(listing.queues())
                .extracting(DeadLetterQueue::name)
                .containsExactly("emails.dlq", "hooks.dlq", "orders-dead", "qs.delay.dlq");
        DeadLetterQueue orders = listing.queues().get(2);
        assertThat(orders.serves()).containsExactly("orders");
        assertThat(orders.via()).containsExactly(Via.DEAD_LETTER_EXCHANGE);
        assertThat(orders.messages()).isEqualTo(5);
        assertThat(listing.queues().get(0).via()).containsExactly(Via.WORKER);
        assertThat(listing.queues().get(1).via()).containsExactly(Via.SUBSCRIPTION);
        assertThat(listing.queues().get(3).via()).isEqualTo(Set.of(Via.SERVICE));
    }

    @Test
    void aDeletedQueueIsForgottenAndAFailingManagementApiLeavesWhatThisInstanceKnows() {
        TopologyOperations topology = broker(Map.of("a", 0L, "a.dlq", 0L));
        KnownTopology known = new KnownTopology();
        TopologyOperations api = known.recording(topology);
        api.declareQueue(QueueSpec.durable("a"));
        api.declareQueue(QueueSpec.durable("a.dlq"));

        DeadLetterListing listing = new DeadLetterCatalog(topology, known, failingDirectory(), null).deadLetterQueues();

        assertThat(listing.complete()).isFalse();
        assertThat(listing.queues()).extracting(DeadLetterQueue::name).containsExactly("a.dlq");

        api.deleteQueue("a", false, false);
        assertThat(new DeadLetterCatalog(topology, known, Optional.empty(), null)
                        .deadLetterQueues()
                        .queues())
                .isEmpty();
    }
}
