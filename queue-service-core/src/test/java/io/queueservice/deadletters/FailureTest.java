package io.queueservice.deadletters;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import io.queueservice.deadletters.Failure.Address;
import io.queueservice.deadletters.Failure.Source;
import io.queueservice.worker.FailureHeaders;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureTest {
    private static LongString ls(String s) {
        return LongStringHelper.asLongString(s);
    }

    private static Map<String, Object> workerHeaders(String lastFailedAt) {
        Map<String, Object> h = new HashMap<>();
        h.put(FailureHeaders.REASON, ls("retries exhausted after 4 attempts; last: handler failed"));
        h.put(FailureHeaders.EXCEPTION_CLASS, ls("java.io.IOException"));
        h.put(FailureHeaders.EXCEPTION_MESSAGE, ls("smtp down"));
        h.put(FailureHeaders.ATTEMPT, 4);
        h.put(FailureHeaders.FIRST_FAILED_AT, ls("2026-01-01T10:00:00Z"));
        h.put(FailureHeaders.LAST_FAILED_AT, ls(lastFailedAt));
        h.put(FailureHeaders.ORIGINAL_EXCHANGE, ls("orders"));
        h.put(FailureHeaders.ORIGINAL_ROUTING_KEY, ls("order.created"));
        return h;
    }

    private static Map<String, Object> death(
            String queue, String reason, long count, String time, String exchange, String key) {
        Map<String, Object> d = new HashMap<>();
        d.put("queue", ls(queue));
        d.put("reason", ls(reason));
        d.put("count", count);
        d.put("time", Date.from(Instant.parse(time)));
        d.put("exchange", ls(exchange));
        d.put("routing-keys", List.of(ls(key)));
        return d;
    }

    @Test
    void theToolkitsHeadersAreDecoded() {
        Failure f = Failure.decode(workerHeaders("2026-01-01T10:05:00Z")).orElseThrow();

        assertThat(f.source()).isEqualTo(Source.WORKER);
        assertThat(f.reason()).startsWith("retries exhausted");
        assertThat(f.exceptionClass()).contains("java.io.IOException");
        assertThat(f.exceptionMessage()).contains("smtp down");
        assertThat(f.attempts()).contains(4);
        assertThat(f.firstFailedAt()).contains(Instant.parse("2026-01-01T10:00:00Z"));
        assertThat(f.lastFailedAt()).contains(Instant.parse("2026-01-01T10:05:00Z"));
        assertThat(f.original()).contains(new Address("orders", "order.created"));
    }

    @Test
    void xDeathIsDecodedFromItsMostRecentEntry() {
        Map<String, Object> h = Map.of(
                Failure.X_DEATH,
                List.of(
                        death("orders", "rejected", 2, "2026-01-01T11:00:00Z", "shop", "order.paid"),
                        death("orders.wait", "expired", 1, "2026-01-01T09:00:00Z", "", "orders.wait")));

        Failure f = Failure.decode(h).orElseThrow();

        assertThat(f.source()).isEqualTo(Source.BROKER);
        assertThat(f.reason()).isEqualTo("rejected");
        assertThat(f.queue()).contains("orders");
        assertThat(f.attempts()).contains(2);
        assertThat(f.firstFailedAt()).contains(Instant.parse("2026-01-01T09:00:00Z"));
        assertThat(f.lastFailedAt()).contains(Instant.parse("2026-01-01T11:00:00Z"));
        assertThat(f.original()).contains(new Address("shop", "order.paid"));
        assertThat(f.exceptionClass()).isEmpty();
    }

    @Test
    void aWorkerFailureAfterRetryHopsWinsOverTheRetryQueuesXDeath() {
        Map<String, Object> h = workerHeaders("2026-01-01T10:05:00Z");
        h.put(
                Failure.X_DEATH,
                List.of(death("q.retry.1000", "expired", 3, "2026-01-01T10:04:59Z", "", "q.retry.1000")));

        assertThat(Failure.decode(h).orElseThrow().source()).isEqualTo(Source.WORKER);
    }

    @Test
    void aBrokerDeathAfterTheWorkersLastFailureWins() {
        Map<String, Object> h = workerHeaders("2026-01-01T10:05:00Z");
        h.put(Failure.X_DEATH, List.of(death("orders", "maxlen", 1, "2026-01-01T12:00:00Z", "shop", "k")));

        Failure f = Failure.decode(h).orElseThrow();

        assertThat(f.source()).isEqualTo(Source.BROKER);
        assertThat(f.reason()).isEqualTo("maxlen");
    }

    @Test
    void headersWithoutAFailureDecodeToNothing() {
        assertThat(Failure.decode(null)).isEmpty();
        assertThat(Failure.decode(Map.of("trace", ls("x")))).isEmpty();
        assertThat(Failure.decode(Map.of(Failure.X_DEATH, List.of()))).isEmpty();
    }

    @Test
    void brokenValuesAreLeftOutRatherThanFailing() {
        Map<String, Object> h = new HashMap<>();
        h.put(FailureHeaders.REASON, ls("bad"));
        h.put(FailureHeaders.FIRST_FAILED_AT, ls("yesterday"));
        h.put(FailureHeaders.ATTEMPT, ls("three"));

        Failure f = Failure.decode(h).orElseThrow();

        assertThat(f.firstFailedAt()).isEmpty();
        assertThat(f.attempts()).isEmpty();
        assertThat(f.original()).isEmpty();
    }
}
