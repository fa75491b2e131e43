package io.queueservice.deadletters;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.deadletters.BrokerDirectory.BindingEntry;
import io.queueservice.deadletters.BrokerDirectory.ExchangeEntry;
import io.queueservice.deadletters.BrokerDirectory.QueueEntry;
import io.queueservice.deadletters.BrokerDirectory.Snapshot;
import io.queueservice.deadletters.DeadLetterRouting.Via;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLetterRoutingTest {
    private static QueueEntry queue(String name) {
        return new QueueEntry(name, Optional.empty(), Optional.empty());
    }

    private static QueueEntry queue(String name, String dlx, String dlrk) {
        return new QueueEntry(name, Optional.of(dlx), Optional.ofNullable(dlrk));
    }

    @Test
    void theToolkitsDlqServesItsWorkQueueAndRetryQueuesAreNoSources() {
        Snapshot s = new Snapshot(
                List.of(queue("emails"), queue("emails.dlq"), queue("emails.retry.1000", "", "emails")),
                List.of(),
                List.of());

        Map<String, DeadLetterRouting.Served> found = DeadLetterRouting.of(s, true);

        assertThat(found).containsOnlyKeys("emails.dlq");
        assertThat(found.get("emails.dlq").serves()).containsExactly("emails");
        assertThat(found.get("emails.dlq").via()).containsExactly(Via.WORKER);
    }

    @Test
    void aDeadLetterExchangeAndKeyLeadToTheQueuesTheyRouteTo() {
        Snapshot s = new Snapshot(
                List.of(
                        queue("orders", "dlx", "orders.failed"),
                        queue("payments", "dlx-topic", "pay.eu.failed"),
                        queue("direct-default", "", "parking"),
                        queue("dead"),
                        queue("other"),
                        queue("pay-dead"),
                        queue("parking")),
                List.of(new ExchangeEntry("dlx", "direct"), new ExchangeEntry("dlx-topic", "topic")),
                List.of(
                        new BindingEntry("dlx", "dead", false, "orders.failed"),
                        new BindingEntry("dlx", "other", false, "something.else"),
                        new BindingEntry("dlx-topic", "pay-dead", false, "pay.*.failed")));

        Map<String, DeadLetterRouting.Served> found = DeadLetterRouting.of(s, true);

        assertThat(found).containsOnlyKeys("dead", "pay-dead", "parking");
        assertThat(found.get("dead").serves()).containsExactly("orders");
        assertThat(found.get("pay-dead").serves()).containsExactly("payments");
        assertThat(found.get("parking").via()).containsExactly(Via.DEAD_LETTER_EXCHANGE);
    }

    @Test
    void withoutARoutingKeyEveryQueueBoundToTheExchangeCountsAndExchangeBindingsAreFollowed() {
        Snapshot s = new Snapshot(
                List.of(queue("a", "dlx", null), queue("a-dead"), queue("b-dead")),
                List.of(new ExchangeEntry("dlx", "fanout"), new ExchangeEntry("inner", "direct")),
                List.of(
                        new BindingEntry("dlx", "a-dead", false, ""),
                        new BindingEntry("dlx", "inner", true, ""),
                        new BindingEntry("inner", "b-dead", false, "x")));

        assertThat(DeadLetterRouting.of(s, true)).containsOnlyKeys("a-dead", "b-dead");
    }

    @Test
    void aQueueIsNeverItsOwnDeadLetterQueueAndUnlistedTargetsCountOnlyInAPartialSnapshot() {
        Snapshot s =
                new Snapshot(List.of(queue("loop", "", "loop"), queue("q", "", "elsewhere")), List.of(), List.of());

        assertThat(DeadLetterRouting.of(s, true)).isEmpty();
        assertThat(DeadLetterRouting.of(s, false)).containsOnlyKeys("elsewhere");
    }

    @Test
    void topicPatternsMatchAsTheBrokerDoes() {
        assertThat(DeadLetterRouting.matches("topic", "a.#", "a")).isTrue();
        assertThat(DeadLetterRouting.matches("topic", "a.#", "a.b.c")).isTrue();
        assertThat(DeadLetterRouting.matches("topic", "#.c", "a.b.c")).isTrue();
        assertThat(DeadLetterRouting.matches("topic", "a.*", "a.b.c")).isFalse();
        assertThat(DeadLetterRouting.matches("topic", "*.b.*", "a.b.c")).isTrue();
        assertThat(DeadLetterRouting.matches("direct", "k", "k2")).isFalse();
        assertThat(DeadLetterRouting.matches("fanout", "k", "anything")).isTrue();
    }
}
