package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DeliverCallback;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The three usage patterns of the original description: work queue, pub/sub (fanout), topic routing. */
class PatternsIT extends AgainstSharedBroker {
    private static String queue() {
        String name = broker.queue(uniqueName("q"));
        assertThat(api.post("/api/v1/queues", json(Map.of("name", name))).status())
                .isEqualTo(201);
        return name;
    }

    private static String exchange(String type) {
        String name = broker.exchange(uniqueName(type));
        assertThat(api.post("/api/v1/exchanges", json(Map.of("name", name, "type", type)))
                        .status())
                .isEqualTo(201);
        return name;
    }

    private static void bind(String queue, String exchange, String key) {
        assertThat(api.post("/api/v1/bindings", json(Map.of("queue", queue, "exchange", exchange, "routingKey", key)))
                        .status())
                .isEqualTo(201);
    }

    private static int publish(String exchange, String key, Object message) {
        return api.publish(json(Map.of("exchange", exchange, "routingKey", key, "message", message)))
                .status();
    }

    @Test
    void workQueueIsSharedByTwoConsumers() throws Exception {
        String tasks = queue();
        Map<String, Set<String>> seenBy = new ConcurrentHashMap<>();
        try (Channel a = broker.channel();
                Channel b = broker.channel()) {
            for (var entry : Map.of("a", a, "b", b).entrySet()) {
                Channel ch = entry.getValue();
                ch.basicQos(1);
                DeliverCallback onMessage = (tag, d) -> {
                    seenBy.computeIfAbsent(entry.getKey(), k -> ConcurrentHashMap.newKeySet())
                            .add(new String(d.getBody(), StandardCharsets.UTF_8));
                    ch.basicAck(d.getEnvelope().getDeliveryTag(), false);
                };
                ch.basicConsume(tasks, false, onMessage, tag -> {});
            }

            IntStream.range(0, 20)
                    .forEach(i ->
                            assertThat(publish("", tasks, Map.of("taskId", i))).isEqualTo(202));

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> seenBy.values().stream().mapToInt(Set::size).sum() == 20);
        }
        assertThat(seenBy.get("a")).isNotEmpty().doesNotContainAnyElementsOf(seenBy.get("b"));
        assertThat(seenBy.get("b")).isNotEmpty();
    }

    @Test
    void fanoutReachesEveryBoundQueue() {
        String notifications = exchange("fanout");
        List<String> queues = List.of(queue(), queue(), queue());
        queues.forEach(q -> bind(q, notifications, ""));

        String event = "{\"event\":\"user.registered\",\"userId\":456}";
        assertThat(api.publish("{\"exchange\":\"" + notifications + "\",\"routingKey\":\"\",\"message\":" + event + "}")
                        .status())
                .isEqualTo(202);

        for (String q : queues) {
            assertThat(broker.drain(q)).containsExactly(event);
        }
    }

    @Test
    void topicPatternsRouteBySubject() {
        String logs = exchange("topic");
        String errors = queue();
        String system = queue();
        bind(errors, logs, "*.error");
        bind(system, logs, "system.*");

        assertThat(publish(logs, "system.error", "system.error")).isEqualTo(202);
        assertThat(publish(logs, "auth.error", "auth.error")).isEqualTo(202);
        assertThat(publish(logs, "system.info", "system.info")).isEqualTo(202);
        assertThat(publish(logs, "auth.info", "auth.info")).isEqualTo(422);

        assertThat(broker.drain(errors)).containsExactly("\"system.error\"", "\"auth.error\"");
        assertThat(broker.drain(system)).containsExactly("\"system.error\"", "\"system.info\"");
    }
}
