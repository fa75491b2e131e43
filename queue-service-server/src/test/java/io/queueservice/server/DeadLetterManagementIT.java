package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import io.queueservice.testing.PrivateRabbitNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * GET /api/v1/deadletters with the management API of a private node: queues, exchanges, bindings and policies
 * declared without the service (plain AMQP, rabbitmqctl) are read from the whole virtual host.
 */
class DeadLetterManagementIT {
    @Test
    void everyDeadLetterQueueOfTheVirtualHostIsListedWithTheQueuesItServes() throws Exception {
        try (PrivateRabbitNode node = PrivateRabbitNode.startWithManagement("dlq-mgmt");
                BrokerProbe probe = new BrokerProbe(node.amqpUrl());
                RunningService service =
                        RunningService.start(node.amqpUrl(), Map.of("RABBITMQ_MANAGEMENT_URL", node.managementUrl()))) {
            try (Channel ch = probe.channel()) {
                ch.exchangeDeclare("shop.dlx", "direct", true);
                ch.queueDeclare(
                        "shop.orders",
                        true,
                        false,
                        false,
                        Map.of("x-dead-letter-exchange", "shop.dlx", "x-dead-letter-routing-key", "failed"));
                ch.queueDeclare("shop.failed", true, false, false, null);
                ch.queueDeclare("shop.other", true, false, false, null);
                ch.queueBind("shop.failed", "shop.dlx", "failed");
                ch.queueBind("shop.other", "shop.dlx", "something-else");
                ch.queueDeclare("jobs", true, false, false, null);
                ch.queueDeclare("jobs.dlq", true, false, false, null);
                Map<String, Object> retry = new HashMap<>();
                retry.put("x-dead-letter-exchange", "");
                retry.put("x-dead-letter-routing-key", "jobs");
                retry.put("x-message-ttl", 1000);
                ch.queueDeclare("jobs.retry.1000", true, false, false, retry);
                ch.queueDeclare("pol.src", true, false, false, null);
                ch.queueDeclare("pol.dead", true, false, false, null);
                ch.basicPublish("", "pol.dead", null, "x".getBytes());
            }
            node.rabbitmqctl(
                    "set_policy",
                    "dead-letters",
                    "^pol\\.src$",
                    "{\"dead-letter-exchange\":\"\",\"dead-letter-routing-key\":\"pol.dead\"}",
                    "--apply-to",
                    "queues");

            // The broker applies a policy to matching queues shortly after it is set.
            JsonNode[] seen = new JsonNode[1];
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(15))
                    .until(() -> {
                        seen[0] = service.api().get("/api/v1/deadletters").json();
                        return names(seen[0]).contains("pol.dead");
                    });
            JsonNode listed = seen[0];

            assertThat(listed.path("complete").asBoolean()).isTrue();
            assertThat(names(listed))
                    .as(listed.toString())
                    .containsExactlyInAnyOrder("shop.failed", "jobs.dlq", "pol.dead", "qs.delay.dlq");
            assertThat(entry(listed, "shop.failed").path("serves").get(0).asText())
                    .isEqualTo("shop.orders");
            assertThat(entry(listed, "shop.failed").path("via").get(0).asText()).isEqualTo("dead_letter_exchange");
            assertThat(entry(listed, "jobs.dlq").path("serves").get(0).asText()).isEqualTo("jobs");
            assertThat(entry(listed, "jobs.dlq").path("via").get(0).asText()).isEqualTo("worker");
            assertThat(entry(listed, "pol.dead").path("serves").get(0).asText()).isEqualTo("pol.src");
            assertThat(entry(listed, "pol.dead").path("messages").asLong()).isEqualTo(1);
        }
    }

    private static List<String> names(JsonNode listed) {
        return listed.path("deadLetterQueues").findValuesAsText("name");
    }

    private static JsonNode entry(JsonNode listed, String name) {
        for (JsonNode q : listed.path("deadLetterQueues")) {
            if (q.path("name").asText().equals(name)) {
                return q;
            }
        }
        throw new AssertionError(name + " is not listed: " + listed);
    }
}
