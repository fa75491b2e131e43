package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.PrivateRabbitNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /api/v1/queues through the management API of a private node that has the plugin. */
class ManagementApiIT {
    @Test
    void queuesAreListedWithTheirDepthAndConsumers() {
        try (PrivateRabbitNode node = PrivateRabbitNode.startWithManagement("mgmt");
                RunningService service =
                        RunningService.start(node.amqpUrl(), Map.of("RABBITMQ_MANAGEMENT_URL", node.managementUrl()))) {
            ApiClient api = service.api();
            api.post("/api/v1/queues", json(Map.of("name", "listed")));
            api.publish(json(Map.of("routingKey", "listed", "message", 1)));
            api.publish(json(Map.of("routingKey", "listed", "message", 2)));

            // The management API refreshes its statistics every few seconds.
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> messagesOf(api.get("/api/v1/queues"), "listed") == 2);

            Response r = api.get("/api/v1/queues");
            assertThat(r.status()).isEqualTo(200);
            JsonNode listed = find(r.json(), "listed");
            assertThat(listed.get("type").asText()).isEqualTo("classic");
            assertThat(listed.get("durable").asBoolean()).isTrue();
            assertThat(listed.get("consumers").asLong()).isZero();
        }
    }

    private static long messagesOf(Response r, String queue) {
        JsonNode q = r.status() == 200 ? find(r.json(), queue) : null;
        return q == null ? -1 : q.get("messages").asLong();
    }

    private static JsonNode find(JsonNode body, String queue) {
        for (JsonNode q : body.get("queues")) {
            if (q.get("name").asText().equals(queue)) {
                return q;
            }
        }
        return null;
    }
}
