package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import io.queueservice.testing.PrivateRabbitNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenarios 1 and 5 of the fault suite, on a private RabbitMQ node of this test (the shared broker is
 * never touched): the node restarted under load, with a classic durable queue and a quorum queue; and a
 * memory alarm under load while a consumer on its own connection drains the queue. Each publishes with
 * unique ids through the API ({@link PublishLoad}), drains the queues with a plain AMQP client, and
 * prints a {@code RELIABILITY} row for docs/reliability.md.
 */
class SingleNodeFaultIT {
    /** The service's confirm timeout in these tests. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    /** No request may take longer: the confirm timeout and a margin for a loaded machine. */
    private static final Duration HANG_BOUND = REQUEST_TIMEOUT.plusSeconds(3);

    /** A refused publish must be answered well within the confirm timeout: it fails fast, it does not wait. */
    private static final Duration FAST = Duration.ofMillis(1500);

    /** The stated recovery bound: publishes are accepted again within this after the fault ends. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    private static final int PUBLISHERS = 4;

    private static PrivateRabbitNode node;

    @BeforeAll
    static void startNode() {
        node = PrivateRabbitNode.start("faults");
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static RunningService service() {
        return RunningService.start(
                node.amqpUrl(), Map.of("REQUEST_TIMEOUT", Long.toString(REQUEST_TIMEOUT.toMillis())));
    }

    @Test
    void brokerRestartUnderLoadLosesNoAcceptedMessageOfEitherQueueType() {
        try (RunningService service = service()) {
            ApiClient api = service.api();
            String classic = "restart-classic-" + System.nanoTime();
            String quorum = "restart-quorum-" + System.nanoTime();
            assertThat(api.post("/api/v1/queues", json(Map.of("name", classic))).status())
                    .isEqualTo(201);
            assertThat(api.post("/api/v1/queues", json(Map.of("name", quorum, "options", Map.of("type", "quorum"))))
                            .status())
                    .isEqualTo(201);

            PublishLoad classicLoad = PublishLoad.start(api, "", classic, PUBLISHERS, 100_000, classic, HANG_BOUND);
            PublishLoad quorumLoad = PublishLoad.start(api, "", quorum, PUBLISHERS, 100_000, quorum, HANG_BOUND);
            try {
                classicLoad.awaitMoreAccepted(200, Duration.ofSeconds(30));
                quorumLoad.awaitMoreAccepted(200, Duration.ofSeconds(30));

                Instant faultAt = Instant.now();
                node.restart(); // graceful stop, start on the same ports with the same data
                Instant healedAt = Instant.now();
                System.out.println("RELIABILITY restart: the node was down for "
                        + Duration.between(faultAt, healedAt).toMillis() + " ms");

                Duration classicRecovery = classicLoad.awaitRecovery(healedAt, RECOVERY);
                Duration quorumRecovery = quorumLoad.awaitRecovery(healedAt, RECOVERY);
                classicLoad.awaitMoreAccepted(200, Duration.ofSeconds(30));
                quorumLoad.awaitMoreAccepted(200, Duration.ofSeconds(30));
                PublishLoad.Result classicResult = classicLoad.stop();
                PublishLoad.Result quorumResult = quorumLoad.stop();

                try (BrokerProbe broker = new BrokerProbe(node.amqpUrl())) {
                    PublishLoad.Verdict classicVerdict = PublishLoad.Verdict.of(
                                    "1 node restart, classic durable queue",
                                    classicResult,
                                    broker.drain(broker.queue(classic)),
                                    classicRecovery)
                            .report();
                    PublishLoad.Verdict quorumVerdict = PublishLoad.Verdict.of(
                                    "1 node restart, quorum queue",
                                    quorumResult,
                                    broker.drain(broker.queue(quorum)),
                                    quorumRecovery)
                            .report();

                    for (PublishLoad.Verdict v : List.of(classicVerdict, quorumVerdict)) {
                        // while the node is down: 503 (fast) or, for a confirm cut off mid-way, 504; never no answer
                        v.assertPassed(Set.of(202, 503, 504));
                    }
                }
                for (PublishLoad load : List.of(classicLoad, quorumLoad)) {
                    assertThat(load.attempts())
                            .filteredOn(a -> a.status() == 503)
                            .as("every 503 says when to retry")
                            .allMatch(a -> a.retryAfter() != null);
                }
            } finally {
                classicLoad.close();
                quorumLoad.close();
            }
        }
    }

    @Test
    void memoryAlarmUnderLoadFailsPublishesFastWhileAConsumerKeepsDraining() throws Exception {
        String queue = "alarm-load-" + System.nanoTime();
        ConcurrentLinkedQueue<String> consumed = new ConcurrentLinkedQueue<>();
        try (RunningService service = service();
                BrokerProbe broker = new BrokerProbe(node.amqpUrl())) {
            ApiClient api = service.api();
            broker.queue(queue);
            assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                    .isEqualTo(201);
            PublishLoad load = PublishLoad.start(api, "", queue, PUBLISHERS, 100_000, queue, HANG_BOUND);
            Connection consumerConnection = null;
            try {
                load.awaitMoreAccepted(300, Duration.ofSeconds(30)); // a backlog, not consumed yet

                Instant faultAt = Instant.now();
                Instant healedAt;
                node.rabbitmqctl("set_vm_memory_high_watermark", "0");
                try {
                    // RabbitMQ blocks the service's connection when it next publishes: readiness follows.
                    await().atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(100))
                            .until(() -> api.get("/healthz/ready").status() == 503);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> load.attempts().stream()
                                    .anyMatch(
                                            a -> a.status() == 503 && a.sentAt().isAfter(faultAt)));
                    long backlog = broker.depth(queue);
                    assertThat(backlog).isPositive();

                    // A consumer on its own connection (it never publishes, so it is never blocked) drains
                    // the whole backlog while the alarm is on.
                    consumerConnection = consumer(queue, consumed);
                    await().atMost(Duration.ofSeconds(30))
                            .pollInterval(Duration.ofMillis(100))
                            .until(() -> consumed.size() >= backlog && broker.depth(queue) == 0);
                    assertThat(api.get("/healthz/ready").status())
                            .as("the alarm was still on while the consumer drained")
                            .isEqualTo(503);
                } finally {
                    node.rabbitmqctl("set_vm_memory_high_watermark", "0.4");
                    healedAt = Instant.now();
                }

                Duration recovery = load.awaitRecovery(healedAt, RECOVERY);
                load.awaitMoreAccepted(200, Duration.ofSeconds(30));
                await().atMost(RECOVERY).until(() -> api.get("/healthz/ready").status() == 200);
                PublishLoad.Result result = load.stop();
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> broker.depth(queue) == 0
                                && Set.copyOf(consumed.stream()
                                                .map(b -> b.replace("\"", ""))
                                                .toList())
                                        .containsAll(result.accepted()));

                List<String> all = new ArrayList<>(consumed);
                all.addAll(broker.drain(queue));
                PublishLoad.Verdict.of("5 memory alarm", result, all, recovery)
                        .report()
                        .assertPassed(Set.of(202, 503));
                assertThat(result.statuses()).containsKey(503);
                load.assertFast503s(FAST);
            } finally {
                load.close();
                if (consumerConnection != null) {
                    consumerConnection.close();
                }
            }
        }
    }

    /** A plain AMQP consumer on a connection of its own, acknowledging each message after taking it. */
    private static Connection consumer(String queue, ConcurrentLinkedQueue<String> consumed) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(node.amqpUrl());
        factory.setAutomaticRecoveryEnabled(false);
        Connection connection = factory.newConnection("alarm-consumer");
        Channel channel = connection.createChannel();
        channel.basicQos(100);
        DeliverCallback deliver = (tag, delivery) -> {
            consumed.add(new String(delivery.getBody(), StandardCharsets.UTF_8));
            channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
        };
        channel.basicConsume(queue, false, deliver, tag -> {});
        return connection;
    }
}
