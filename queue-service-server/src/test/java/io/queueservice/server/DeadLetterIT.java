package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.queueservice.client.QueueClient;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.redrive.RedriveHeaders;
import io.queueservice.testing.SharedBroker;
import io.queueservice.worker.FailureHeaders;
import io.queueservice.worker.Outcome;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Looking into queues and redriving dead letters through the API, on the shared broker, with what reached the
 * broker checked by a plain AMQP client.
 */
class DeadLetterIT extends AgainstSharedBroker {

    private String declare(String name, Map<String, Object> options) {
        var r = api.post("/api/v1/queues", json(Map.of("name", name, "options", options)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return broker.queue(name);
    }

    /** Publishes to a queue through the default exchange, with confirms, as a worker's dead-lettering would. */
    private static void put(String queue, List<String> bodies, Map<String, Object> headers) {
        try (Channel ch = broker.channel()) {
            ch.confirmSelect();
            for (String body : bodies) {
                ch.basicPublish(
                        "",
                        queue,
                        new AMQP.BasicProperties.Builder()
                                .contentType("application/json")
                                .deliveryMode(2)
                                .headers(headers)
                                .build(),
                        body.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
        } catch (Exception e) {
            throw new AssertionError("publishing to " + queue + " failed", e);
        }
    }

    /** The toolkit's headers of a message that died in {@code workQueue}, published to the default exchange. */
    private static Map<String, Object> diedIn(String workQueue) {
        Map<String, Object> h = new HashMap<>();
        h.put(FailureHeaders.REASON, "handler failed: java.lang.IllegalStateException: downstream said no");
        h.put(FailureHeaders.ATTEMPT, 4);
        h.put(FailureHeaders.FIRST_FAILED_AT, "2026-01-01T10:00:00Z");
        h.put(FailureHeaders.LAST_FAILED_AT, "2026-01-01T10:05:00Z");
        h.put(FailureHeaders.ORIGINAL_EXCHANGE, "");
        h.put(FailureHeaders.ORIGINAL_ROUTING_KEY, workQueue);
        return h;
    }

    private static List<String> numbered(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("{\"id\":\"" + prefix + "-" + i + "\"}");
        }
        return out;
    }

    private static JsonNode awaitRedrive(String id, String state, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get("/api/v1/redrives/" + id).json();
            return !last[0].path("state").asText().equals("running");
        });
        assertThat(last[0].path("state").asText()).as(last[0].toString()).isEqualTo(state);
        return last[0];
    }

    private static String startRedrive(String queue, Object body) {
        var r = api.post("/api/v1/queues/" + queue + "/redrive", json(body));
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.header("Location"))
                .contains("/api/v1/redrives/" + r.json().path("id").asText());
        return r.json().path("id").asText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "quorum"})
    void lookingAtMessagesLosesNothing(String type) {
        String queue = declare(uniqueName("look-" + type), Map.of("type", type));
        List<String> bodies = numbered("look", 30);
        put(queue, bodies, diedIn("somewhere"));

        JsonNode first =
                api.get("/api/v1/queues/" + queue + "/messages?limit=10").json();
        JsonNode second =
                api.get("/api/v1/queues/" + queue + "/messages?limit=100").json();

        assertThat(first.path("messages")).hasSize(10);
        assertThat(first.path("depth").asLong()).isEqualTo(30);
        assertThat(second.path("messages")).hasSize(30);
        assertThat(second.path("depth").asLong()).isEqualTo(30);
        JsonNode firstMessage = first.path("messages").get(0);
        assertThat(firstMessage.path("body").path("encoding").asText()).isEqualTo("text");
        assertThat(firstMessage.path("deadLetter").path("reason").asText()).contains("downstream said no");
        List<String> left = broker.drain(queue);
        assertThat(left).containsExactlyInAnyOrderElementsOf(bodies);
        if (type.equals("classic")) {
            assertThat(left).as("a classic queue keeps the order").containsExactlyElementsOf(bodies);
        }
    }

    @Test
    void aWorkersDeadLetterShowsWhyAndAQueuesDeadLetterExchangeIsListed() throws Exception {
        String work = declare(uniqueName("dl-work"), Map.of());
        String dlq = declare(work + ".dlq", Map.of());
        var env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        RetryConfig noRetries = new RetryConfig(0, Duration.ofMillis(100), Duration.ofMillis(100));
        try (QueueClient client = new QueueClient(
                "dead-letter-it",
                io.queueservice.config.BrokerConfig.from(env),
                io.queueservice.config.PublishConfig.from(env),
                WorkerOptions.defaults().withRetry(noRetries),
                PublishMetrics.NO_OP,
                WorkerMetrics.NO_OP)) {
            io.queueservice.worker.Workers.declareRetryTopology(client.topology(), work, noRetries);
            new RetryQueues(work, noRetries).forEach(broker::queue);
            Worker worker = client.consume(work, m -> Outcome.deadLetter("invoice total is negative"));
            api.publish(json(Map.of("exchange", "", "routingKey", work, "message", Map.of("total", -3))));
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.depth(dlq) == 1);
            worker.close();
        }

        JsonNode look = api.get("/api/v1/queues/" + dlq + "/messages").json();
        JsonNode dead = look.path("messages").get(0).path("deadLetter");
        assertThat(dead.path("source").asText()).isEqualTo("worker");
        assertThat(dead.path("reason").asText()).isEqualTo("invoice total is negative");
        assertThat(dead.path("attempts").asInt()).isEqualTo(1);
        assertThat(dead.path("originalExchange").asText()).isEmpty();
        assertThat(dead.path("originalRoutingKey").asText()).isEqualTo(work);
        assertThat(look.path("messages").get(0).path("body").path("data").asText())
                .isEqualTo("{\"total\":-3}");

        String rejecting =
                declare(uniqueName("dl-rejecting"), Map.of("deadLetterExchange", "", "deadLetterRoutingKey", dlq));
        put(rejecting, List.of("{\"n\":1}"), null);
        try (Channel ch = broker.channel()) {
            GetResponse r = ch.basicGet(rejecting, false);
            ch.basicReject(r.getEnvelope().getDeliveryTag(), false);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.depth(dlq) == 2);
        JsonNode byBroker = api.get("/api/v1/queues/" + dlq + "/messages?limit=2")
                .json()
                .path("messages")
                .get(1);
        assertThat(byBroker.path("deadLetter").path("source").asText()).isEqualTo("broker");
        assertThat(byBroker.path("deadLetter").path("reason").asText()).isEqualTo("rejected");
        assertThat(byBroker.path("deadLetter").path("queue").asText()).isEqualTo(rejecting);
        assertThat(byBroker.path("deadLetter").path("originalRoutingKey").asText())
                .isEqualTo(rejecting);

        JsonNode listed = api.get("/api/v1/deadletters").json();
        assertThat(listed.path("complete").asBoolean()).isFalse();
        JsonNode entry = null;
        for (JsonNode q : listed.path("deadLetterQueues")) {
            if (q.path("name").asText().equals(dlq)) {
                entry = q;
            }
        }
        assertThat(entry).as(listed.toString()).isNotNull();
        assertThat(entry.path("messages").asLong()).isEqualTo(2);
        assertThat(entry.path("serves").toString()).contains(work, rejecting);
    }

    @Test
    void aRedriveOfAThousandDeadLettersPutsEachBackInItsQueueExactlyOnce() {
        String work = declare(uniqueName("rd-work"), Map.of());
        String dlq = declare(work + ".dlq", Map.of());
        List<String> bodies = numbered("rd", 1000);
        put(dlq, bodies, diedIn(work));

        String id = startRedrive(dlq, Map.of("ratePerSecond", 5000));
        JsonNode done = awaitRedrive(id, "completed", Duration.ofSeconds(60));

        assertThat(done.path("moved").asLong()).isEqualTo(1000);
        assertThat(done.path("failed").asLong()).isZero();
        assertThat(done.path("toMove").asLong()).isEqualTo(1000);
        assertThat(done.path("finishedAt").asText()).isNotEmpty();
        List<GetResponse> back = broker.takeAll(work);
        List<String> backBodies = back.stream()
                .map(r -> new String(r.getBody(), StandardCharsets.UTF_8))
                .toList();
        assertThat(backBodies).hasSize(1000).containsExactlyInAnyOrderElementsOf(bodies);
        assertThat(new HashSet<>(backBodies)).hasSize(1000);
        assertThat(broker.depth(dlq)).isZero();
        Map<String, Object> headers = back.get(0).getProps().getHeaders();
        assertThat(headers).doesNotContainKeys(FailureHeaders.ATTEMPT, FailureHeaders.REASON);
        assertThat(headers.get(RedriveHeaders.COUNT)).isEqualTo(1);
        assertThat(headers.get(RedriveHeaders.REDRIVEN_FROM).toString()).isEqualTo(dlq);
    }

    @Test
    void messagesThatCannotBeRoutedStayInTheDeadLetterQueueAndCountAsFailed() {
        String work = declare(uniqueName("rd-some"), Map.of());
        String dlq = declare(work + ".dlq", Map.of());
        put(dlq, numbered("good", 2), diedIn(work));
        put(dlq, numbered("lost", 3), diedIn(uniqueName("no-such-queue")));

        JsonNode done = awaitRedrive(startRedrive(dlq, Map.of()), "completed", Duration.ofSeconds(30));

        assertThat(done.path("moved").asLong()).isEqualTo(2);
        assertThat(done.path("failed").asLong()).isEqualTo(3);
        assertThat(broker.drain(work)).containsExactlyInAnyOrderElementsOf(numbered("good", 2));
        List<GetResponse> stayed = broker.takeAll(dlq);
        assertThat(stayed)
                .extracting(r -> new String(r.getBody(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(numbered("lost", 3));
        assertThat(stayed.get(0)
                        .getProps()
                        .getHeaders()
                        .get(RedriveHeaders.FAILURE)
                        .toString())
                .contains("no queue is bound");
    }

    @Test
    void aCancelledRedriveKeepsWhatItMovedAndLeavesTheRest() {
        String work = declare(uniqueName("rd-cancel"), Map.of());
        String dlq = declare(work + ".dlq", Map.of());
        List<String> bodies = numbered("c", 200);
        put(dlq, bodies, diedIn(work));
        String id = startRedrive(dlq, Map.of("ratePerSecond", 20));
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        api.get("/api/v1/redrives/" + id).json().path("moved").asLong() >= 10);

        var cancel = api.delete("/api/v1/redrives/" + id);
        assertThat(cancel.status()).as(cancel.body()).isEqualTo(202);
        JsonNode done = awaitRedrive(id, "cancelled", Duration.ofSeconds(10));

        long moved = done.path("moved").asLong();
        assertThat(moved).isBetween(10L, 199L);
        List<String> inWork = broker.drain(work);
        List<String> inDlq = broker.drain(dlq);
        assertThat(inWork).hasSize((int) moved);
        List<String> all = new ArrayList<>(inWork);
        all.addAll(inDlq);
        assertThat(all).containsExactlyInAnyOrderElementsOf(bodies);
    }

    @Test
    void oneRedrivePerQueueAcrossInstancesAndNoneOnAQueueWithAConsumer() throws Exception {
        String work = declare(uniqueName("rd-one"), Map.of());
        String dlq = declare(work + ".dlq", Map.of());
        put(dlq, numbered("one", 50), diedIn(work));
        String id = startRedrive(dlq, Map.of("ratePerSecond", 5));

        var again = api.post("/api/v1/queues/" + dlq + "/redrive", "{}");
        assertThat(again.status()).as(again.body()).isEqualTo(409);
        assertThat(again.problem().detail()).contains(id);
        try (RunningService other = RunningService.start(SharedBroker.url())) {
            var elsewhere = other.api().post("/api/v1/queues/" + dlq + "/redrive", "{}");
            assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(409);
            assertThat(elsewhere.problem().detail()).contains("another instance");
        }
        api.delete("/api/v1/redrives/" + id);
        awaitRedrive(id, "cancelled", Duration.ofSeconds(10));

        try (Channel consumer = broker.channel()) {
            consumer.basicQos(1);
            consumer.basicConsume(dlq, false, (tag, d) -> {}, tag -> {});
            var busy = api.post("/api/v1/queues/" + dlq + "/redrive", "{}");
            assertThat(busy.status()).as(busy.body()).isEqualTo(409);
            assertThat(busy.problem().detail()).contains("consumer");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.depth(dlq) + broker.depth(work) == 50);
    }

    @Test
    void badRequestsAreRefusedNamingTheField() {
        String dlq = declare(uniqueName("rd-bad"), Map.of());

        assertThat(api.get("/api/v1/queues/" + dlq + "/messages?limit=0")
                        .problem()
                        .errors())
                .extracting(v -> v.field())
                .containsExactly("limit");
        assertThat(api.post("/api/v1/queues/" + dlq + "/redrive", "{\"ratePerSecond\":100000}")
                        .problem()
                        .errors())
                .extracting(v -> v.field())
                .containsExactly("ratePerSecond");
        assertThat(api.post("/api/v1/queues/" + dlq + "/redrive", "{\"destination\":{\"exchange\":\"x\"}}")
                        .problem()
                        .errors())
                .extracting(v -> v.field())
                .containsExactly("destination.routingKey");
        assertThat(api.post("/api/v1/queues/" + uniqueName("missing") + "/redrive", "{}")
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/queues/" + uniqueName("missing") + "/messages")
                        .status())
                .isEqualTo(404);
        assertThat(api.get("/api/v1/redrives/no-such-id").status()).isEqualTo(404);
    }

    /** The retry queues the toolkit declares for a work queue, to clean up. */
    private record RetryQueues(String work, RetryConfig retry) {
        void forEach(java.util.function.Consumer<String> action) {
            new io.queueservice.worker.RetrySchedule(work, retry).retryQueues().forEach(action);
        }
    }
}
