package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the API's routes read and write: a request binds from JSON and a view writes to JSON with a plain
 * Jackson mapper (no modules), as the server's is.
 */
class SubscriptionJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRequestBindsFromJsonWithAbsentFieldsAsNull() throws Exception {
        SubscriptionRequest r = JSON.readValue(
                "{\"name\":\"a\",\"queue\":\"q\",\"endpoint\":\"https://h/x\",\"headers\":{\"Authorization\":\"t\"}}",
                SubscriptionRequest.class);
        assertThat(r)
                .isEqualTo(new SubscriptionRequest(
                        "a", "q", "https://h/x", null, null, null, null, Map.of("Authorization", "t")));
    }

    @Test
    void aViewWritesToJsonWithoutNullFields() throws Exception {
        SubscriptionView v = new SubscriptionView(
                "a",
                "q",
                "https://h/x",
                "whsec_****",
                6,
                10_000,
                8,
                Map.of("Authorization", "****"),
                "paused",
                "paused through the API",
                "2026-12-04T10:00:00Z",
                new SubscriptionView.Counts(3, 1, 0),
                new SubscriptionView.LastError("2026-12-04T09:59:00Z", 500, "the endpoint answered HTTP 500"),
                "2026-12-04T09:00:00Z",
                "2026-12-04T10:00:00Z",
                42);
        JsonNode n = JSON.readTree(JSON.writeValueAsString(v));
        assertThat(n.path("state").asText()).isEqualTo("paused");
        assertThat(n.path("counts").path("failedAttempts").asLong()).isEqualTo(1);
        assertThat(n.path("lastError").path("httpStatus").asInt()).isEqualTo(500);
        assertThat(n.path("pausedAt").asText()).isEqualTo("2026-12-04T10:00:00Z");
        SubscriptionView active = new SubscriptionView(
                "a",
                "q",
                "https://h/x",
                "whsec_****",
                6,
                10_000,
                8,
                Map.of(),
                "active",
                null,
                null,
                new SubscriptionView.Counts(0, 0, 0),
                null,
                "2026-12-04T09:00:00Z",
                "2026-12-04T09:00:00Z",
                1);
        JsonNode m = JSON.readTree(JSON.writeValueAsString(active));
        assertThat(m.has("pausedReason")).isFalse();
        assertThat(m.has("lastError")).isFalse();
    }
}
