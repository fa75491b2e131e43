package io.queueservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureHeadersTest {
    private final Envelope firstDelivery = new Envelope(1, false, "email", "confirmation");

    @Test
    void aFirstFailureRecordsWhyWhenAndWhereFrom() {
        AMQP.BasicProperties original = new AMQP.BasicProperties.Builder()
                .messageId("m-1")
                .headers(Map.of("tenant", "acme"))
                .deliveryMode(1)
                .build();

        AMQP.BasicProperties copy = FailureHeaders.afterFailure(
                original, firstDelivery, 2, "handler failed", new IllegalStateException("SMTP down"), "1000", Map.of());

        Map<String, Object> h = copy.getHeaders();
        assertThat(h).containsEntry("tenant", "acme").containsEntry(FailureHeaders.ATTEMPT, 2);
        assertThat(h)
                .containsEntry(FailureHeaders.ORIGINAL_EXCHANGE, "email")
                .containsEntry(FailureHeaders.ORIGINAL_ROUTING_KEY, "confirmation");
        assertThat(h)
                .containsEntry(FailureHeaders.EXCEPTION_CLASS, IllegalStateException.class.getName())
                .containsEntry(FailureHeaders.EXCEPTION_MESSAGE, "SMTP down")
                .containsEntry(FailureHeaders.REASON, "handler failed");
        assertThat(h.get(FailureHeaders.FIRST_FAILED_AT)).isEqualTo(h.get(FailureHeaders.LAST_FAILED_AT));
        assertThat(copy.getMessageId()).isEqualTo("m-1");
        assertThat(copy.getExpiration()).isEqualTo("1000");
        assertThat(copy.getDeliveryMode()).as("copies are always persistent").isEqualTo(2);
    }

    @Test
    void laterFailuresKeepTheFirstTimeAndTheOriginalRouteAndDropAStaleException() {
        AMQP.BasicProperties retried = new AMQP.BasicProperties.Builder()
                .headers(Map.of(
                        FailureHeaders.FIRST_FAILED_AT, "2026-01-01T00:00:00Z",
                        FailureHeaders.ORIGINAL_EXCHANGE, "email",
                        FailureHeaders.ORIGINAL_ROUTING_KEY, "confirmation",
                        FailureHeaders.EXCEPTION_CLASS, "java.io.IOException",
                        FailureHeaders.ATTEMPT, 2))
                .build();
        Envelope fromRetryQueue = new Envelope(7, false, "", "orders");

        AMQP.BasicProperties copy =
                FailureHeaders.afterFailure(retried, fromRetryQueue, 3, "handler asked to retry", null, null, Map.of());

        assertThat(FailureHeaders.attempt(retried)).isEqualTo(2);
        assertThat(copy.getHeaders())
                .containsEntry(FailureHeaders.FIRST_FAILED_AT, "2026-01-01T00:00:00Z")
                .containsEntry(FailureHeaders.ORIGINAL_EXCHANGE, "email")
                .doesNotContainKey(FailureHeaders.EXCEPTION_CLASS);
        assertThat(copy.getExpiration()).isNull();
    }

    @Test
    void longTextsAreTruncatedToASafeSize() {
        String huge = "x".repeat(10_000);
        AMQP.BasicProperties copy = FailureHeaders.afterFailure(
                new AMQP.BasicProperties(),
                firstDelivery,
                2,
                huge,
                new RuntimeException(huge),
                null,
                Map.of("qs-x", huge));

        assertThat(copy.getHeaders().get(FailureHeaders.REASON).toString()).hasSize(FailureHeaders.MAX_TEXT + 3);
        assertThat(copy.getHeaders().get(FailureHeaders.EXCEPTION_MESSAGE).toString())
                .hasSize(FailureHeaders.MAX_TEXT + 3);
        assertThat(copy.getHeaders().get("qs-x").toString()).hasSize(FailureHeaders.MAX_TEXT + 3);
    }

    @Test
    void theHandlersDetailsOfAFailureReplaceThoseOfAnEarlierOne() {
        AMQP.BasicProperties earlier = new AMQP.BasicProperties.Builder()
                .headers(Map.of("qs-push-last-status", "500", "qs-push-last-response", "boom", "tenant", "acme"))
                .build();
        AMQP.BasicProperties copy = FailureHeaders.afterFailure(
                earlier,
                firstDelivery,
                3,
                "the endpoint answered HTTP 503",
                null,
                null,
                Map.of("qs-push-last-status", "503", "qs-push-last-response", ""));
        assertThat(copy.getHeaders())
                .containsEntry("qs-push-last-status", "503")
                .containsEntry("qs-push-last-response", "")
                .containsEntry("tenant", "acme")
                .containsEntry(FailureHeaders.REASON, "the endpoint answered HTTP 503");
    }

    @Test
    void aMessageNeverRetriedIsAttemptOne() {
        assertThat(FailureHeaders.attempt(new AMQP.BasicProperties())).isEqualTo(1);
    }
}
