package io.queueservice.redrive;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.worker.FailureHeaders;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedriveHeadersTest {
    private static final Instant NOW = Instant.parse("2026-02-01T12:00:00Z");

    private static AMQP.BasicProperties deadLetter() {
        Map<String, Object> h = new HashMap<>();
        h.put(FailureHeaders.ATTEMPT, 6);
        h.put(FailureHeaders.REASON, "retries exhausted");
        h.put(FailureHeaders.FIRST_FAILED_AT, "2026-01-01T00:00:00Z");
        h.put(FailureHeaders.ORIGINAL_EXCHANGE, "shop");
        h.put(FailureHeaders.ORIGINAL_ROUTING_KEY, "order.created");
        h.put("x-death", List.of(Map.of("queue", "orders")));
        h.put("x-delivery-count", 3);
        h.put(ConfirmingPublisher.RESERVED_HEADER, 17L);
        h.put("tenant", "acme");
        return new AMQP.BasicProperties.Builder()
                .messageId("m-1")
                .deliveryMode(2)
                .headers(h)
                .build();
    }

    @Test
    void aRedrivenMessageStartsANewLifeAndRecordsTheRedrive() {
        AMQP.BasicProperties p = RedriveHeaders.redriven(deadLetter(), "orders.dlq", NOW);

        assertThat(p.getHeaders())
                .doesNotContainKeys(
                        FailureHeaders.ATTEMPT,
                        FailureHeaders.REASON,
                        FailureHeaders.FIRST_FAILED_AT,
                        "x-death",
                        "x-delivery-count",
                        ConfirmingPublisher.RESERVED_HEADER)
                .containsEntry(FailureHeaders.ORIGINAL_EXCHANGE, "shop")
                .containsEntry(FailureHeaders.ORIGINAL_ROUTING_KEY, "order.created")
                .containsEntry("tenant", "acme")
                .containsEntry(RedriveHeaders.COUNT, 1)
                .containsEntry(RedriveHeaders.REDRIVEN_AT, NOW.toString())
                .containsEntry(RedriveHeaders.REDRIVEN_FROM, "orders.dlq");
        assertThat(p.getMessageId()).isEqualTo("m-1");
        assertThat(p.getDeliveryMode()).isEqualTo(2);

        AMQP.BasicProperties again = RedriveHeaders.redriven(p, "orders.dlq", NOW);
        assertThat(again.getHeaders()).containsEntry(RedriveHeaders.COUNT, 2);
    }

    @Test
    void aMessageThatCouldNotBeMovedKeepsItsHistoryAndSaysWhy() {
        AMQP.BasicProperties p = RedriveHeaders.failed(deadLetter(), "task-1", "unroutable", NOW);

        assertThat(p.getHeaders())
                .containsEntry(FailureHeaders.REASON, "retries exhausted")
                .containsEntry(RedriveHeaders.FAILURE, "unroutable")
                .containsEntry(RedriveHeaders.TASK, "task-1")
                .doesNotContainKey(ConfirmingPublisher.RESERVED_HEADER);
        assertThat(RedriveHeaders.putBackBy(p, "task-1")).isTrue();
        assertThat(RedriveHeaders.putBackBy(p, "task-2")).isFalse();
        // Moved later by another redrive, it loses the mark.
        assertThat(RedriveHeaders.redriven(p, "q", NOW).getHeaders())
                .doesNotContainKeys(RedriveHeaders.TASK, RedriveHeaders.FAILURE);
    }

    @Test
    void aLockNameFitsInAQueueName() {
        assertThat(RedriveSession.lockName("orders.dlq")).isEqualTo("qs.redrive.lock.orders.dlq");
        String longest = "q".repeat(255);
        assertThat(RedriveSession.lockName(longest))
                .startsWith("qs.redrive.lock.sha256.")
                .hasSizeLessThan(100);
    }

    @Test
    void aRequestIsCheckedFieldByField() {
        RedriveRequest bad = new RedriveRequest(java.util.OptionalLong.of(0), java.util.Optional.empty(), 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(bad::validate)
                .isInstanceOfSatisfying(
                        io.queueservice.validation.InvalidRequestException.class,
                        e -> assertThat(e.violations())
                                .extracting(io.queueservice.validation.Violation::field)
                                .containsExactly("limit", "ratePerSecond"));
    }
}
