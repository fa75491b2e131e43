package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.SharedBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/publish/batch}, checked with a plain AMQP client on the shared broker. */
class BatchPublishIT extends AgainstSharedBroker {
    private static String queue() {
        String name = broker.queue(uniqueName("batch"));
        Response r = api.post("/api/v1/queues", json(Map.of("name", name)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return name;
    }

    private static Map<String, Object> item(String routingKey, Object message) {
        return Map.of("routingKey", routingKey, "message", message);
    }

    @Test
    void aThousandMessagesReachTheirQueueInRequestOrder() {
        String queue = queue();
        List<Map<String, Object>> items = IntStream.range(0, 1000)
                .mapToObj(i -> item(queue, Map.of("n", i)))
                .toList();

        Response r = api.post("/api/v1/publish/batch", json(Map.of("messages", items)));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("published").asInt()).isEqualTo(1000);
        assertThat(r.json().get("failed").asInt()).isZero();
        List<String> ids = new ArrayList<>();
        r.json()
                .get("results")
                .forEach(result -> ids.add(result.get("messageId").asText()));
        List<String> bodies = broker.drain(queue);
        assertThat(bodies)
                .containsExactlyElementsOf(IntStream.range(0, 1000)
                        .mapToObj(i -> "{\"n\":" + i + "}")
                        .toList());
        assertThat(ids).doesNotHaveDuplicates().hasSize(1000);
    }

    @Test
    void eachItemSucceedsOrFailsAloneWithTheAnswerItWouldHaveHadAlone() {
        String queue = queue();
        String missing = uniqueName("missing-exchange");
        List<Map<String, Object>> items = List.of(
                item(queue, "first"),
                Map.of("routingKey", queue, "message", 2, "options", Map.of("priority", 900)),
                Map.of("exchange", missing, "routingKey", "x", "message", 3),
                item(uniqueName("no-such-queue"), 4),
                item(queue, "last"));

        Response r = api.post("/api/v1/publish/batch", json(Map.of("messages", items)));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(r.json().get("published").asInt()).isEqualTo(2);
        assertThat(r.json().get("failed").asInt()).isEqualTo(3);
        assertThat(results.get(0).get("status").asText()).isEqualTo("published");
        assertThat(results.get(1).get("error").get("status").asInt()).isEqualTo(400);
        assertThat(results.get(1).get("error").get("errors").get(0).get("field").asText())
                .isEqualTo("options.priority");
        assertThat(results.get(2).get("error").get("status").asInt()).isEqualTo(404);
        assertThat(results.get(3).get("error").get("status").asInt()).isEqualTo(422);
        assertThat(results.get(4).get("status").asText()).isEqualTo("published");
        assertThat(broker.drain(queue)).containsExactly("\"first\"", "\"last\"");
    }

    @Test
    void moreItemsThanAllowedIsA400AndNothingIsSent() {
        String queue = queue();
        try (RunningService small =
                RunningService.start(SharedBroker.url(), Map.of("PUBLISH_BATCH_MAX_MESSAGES", "3"))) {
            Response r = small.api()
                    .post(
                            "/api/v1/publish/batch",
                            json(Map.of(
                                    "messages",
                                    IntStream.range(0, 4)
                                            .mapToObj(i -> item(queue, i))
                                            .toList())));

            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.problem().errors().get(0).field()).isEqualTo("messages");
            assertThat(r.body()).contains("PUBLISH_BATCH_MAX_MESSAGES");
        }
        assertThat(broker.depth(queue)).isZero();
    }

    @Test
    void aBatchBodyOverItsLimitIs413() {
        try (RunningService small = RunningService.start(SharedBroker.url(), Map.of("MAX_BATCH_BODY_SIZE", "2048"))) {
            Response r = small.api()
                    .post("/api/v1/publish/batch", json(Map.of("messages", List.of(item("q", "x".repeat(3000))))));

            assertThat(r.status()).as(r.body()).isEqualTo(413);
            assertThat(r.problem().detail()).contains("MAX_BATCH_BODY_SIZE");
        }
    }

    @Test
    void theBatchRouteTakesLargerBodiesThanASinglePublish() {
        String queue = queue();
        String big = "x".repeat(600 * 1024);
        try (RunningService service = RunningService.start(SharedBroker.url(), Map.of("MAX_BODY_SIZE", "524288"))) {
            assertThat(service.api().publish(json(item(queue, big))).status()).isEqualTo(413);

            Response r =
                    service.api().post("/api/v1/publish/batch", json(Map.of("messages", List.of(item(queue, big)))));

            assertThat(r.status()).as(r.body()).isEqualTo(200);
        }
        assertThat(broker.depth(queue)).isEqualTo(1);
    }

    @Test
    void anEmptyOrMissingListIsA400() {
        assertThat(api.post("/api/v1/publish/batch", "{\"messages\":[]}").status())
                .isEqualTo(400);
        assertThat(api.post("/api/v1/publish/batch", "{}").status()).isEqualTo(400);
        assertThat(api.post("/api/v1/publish/batch", "[]").status()).isEqualTo(400);
    }

    @Test
    void publishedMessagesAreCountedOneByOneAndBatchSizesInAHistogram() {
        String queue = queue();
        api.post(
                "/api/v1/publish/batch",
                json(Map.of(
                        "messages",
                        IntStream.range(0, 7).mapToObj(i -> item(queue, i)).toList())));

        String metrics = api.get("/metrics").body();

        assertThat(metrics).contains("queue_message_publish_batch_size_count");
        assertThat(metrics).containsPattern("queue_message_publish_batch_size_bucket\\{le=\"10.0\"\\} [1-9]");
        assertThat(broker.depth(queue)).isEqualTo(7);
    }
}
