package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.PrivateRabbitNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker going away and coming back, and the broker blocking publishers, on a private RabbitMQ node
 * this test starts and stops (its own name, ports and data; the shared broker is never touched).
 */
class PrivateBrokerIT {
    /** How long the service may take to notice the broker is back and be ready again. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    /** A failing publish must be answered well within this, never hang. */
    private static final Duration FAST = Duration.ofSeconds(2);

    private static PrivateRabbitNode node;

    @BeforeAll
    static void startNode() {
        node = PrivateRabbitNode.start("gateway");
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static Response timedPublish(ApiClient api, String queue, String message) {
        long started = System.nanoTime();
        Response r = api.publish(json(Map.of("routingKey", queue, "message", message)));
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("answered fast")
                .isLessThan(FAST);
        return r;
    }

    @Test
    void serviceRidesOutABrokerRestartWithoutBeingRestarted() {
        try (RunningService service = RunningService.start(node.amqpUrl())) {
            ApiClient api = service.api();
            String queue = "restart-" + System.nanoTime();
            assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                    .isEqualTo(201);
            assertThat(timedPublish(api, queue, "before").status()).isEqualTo(202);

            node.stop();

            Response during = timedPublish(api, queue, "during");
            assertThat(during.status()).as(during.body()).isEqualTo(503);
            assertThat(during.problem().type()).isEqualTo("urn:queue-service:problem:unavailable");
            assertThat(during.header("Retry-After")).isPresent();
            Response ready = api.get("/healthz/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().get("reason").asText()).contains("not connected");
            Response live = api.get("/healthz");
            assertThat(live.status()).isEqualTo(200);
            assertThat(live.json().get("rabbitmq").asText()).isEqualTo("disconnected");

            node.startAgain();

            await().atMost(RECOVERY)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("/healthz/ready").status() == 200);
            assertThat(api.get("/healthz").json().get("rabbitmq").asText()).isEqualTo("connected");
            assertThat(timedPublish(api, queue, "after").status()).isEqualTo(202);
            try (BrokerProbe broker = new BrokerProbe(node.amqpUrl())) {
                assertThat(broker.drain(broker.queue(queue))).containsExactly("\"before\"", "\"after\"");
            }
        }
    }

    @Test
    void serviceStartsWithoutBrokerAndConnectsWhenItComes() {
        node.stop();
        boolean restarted = false;
        try (RunningService service = RunningService.start(node.amqpUrl())) {
            ApiClient api = service.api();
            assertThat(api.get("/healthz").json().get("rabbitmq").asText()).isEqualTo("disconnected");
            assertThat(api.get("/healthz/ready").status()).isEqualTo(503);
            assertThat(timedPublish(api, "anything", "early").status()).isEqualTo(503);

            node.startAgain();
            restarted = true;

            await().atMost(RECOVERY)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("/healthz/ready").status() == 200);
        } finally {
            if (!restarted) {
                node.startAgain(); // leave the node up for the other tests
            }
        }
    }

    @Test
    void memoryAlarmFailsPublishesFastAndReadinessFollowsIt() {
        try (RunningService service = RunningService.start(node.amqpUrl())) {
            ApiClient api = service.api();
            String queue = "alarm-" + System.nanoTime();
            assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                    .isEqualTo(201);
            assertThat(timedPublish(api, queue, "before").status()).isEqualTo(202);

            node.rabbitmqctl("set_vm_memory_high_watermark", "0");
            try {
                // RabbitMQ blocks a connection when it next publishes: that first message is answered 503
                // fast too (it may still be stored once the alarm clears), and every later one at once.
                Response first = timedPublish(api, queue, "first-in-alarm");
                assertThat(first.status()).as(first.body()).isEqualTo(503);
                assertThat(first.header("Retry-After")).isPresent();
                Response ready = api.get("/healthz/ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.json().get("reason").asText()).contains("blocking publishers");
                Response next = timedPublish(api, queue, "blocked");
                assertThat(next.status()).as(next.body()).isEqualTo(503);
                assertThat(next.header("Retry-After")).isPresent();
                assertThat(next.problem().detail()).contains("not accepting messages");
            } finally {
                node.rabbitmqctl("set_vm_memory_high_watermark", "0.4");
            }

            await().atMost(RECOVERY).until(() -> api.get("/healthz/ready").status() == 200);
            assertThat(timedPublish(api, queue, "after").status()).isEqualTo(202);
            try (BrokerProbe broker = new BrokerProbe(node.amqpUrl())) {
                // The message caught by the alarm was stored once it cleared: answered 503, but never lost.
                assertThat(broker.drain(broker.queue(queue)))
                        .containsExactly("\"before\"", "\"first-in-alarm\"", "\"after\"");
            }
        }
    }
}
