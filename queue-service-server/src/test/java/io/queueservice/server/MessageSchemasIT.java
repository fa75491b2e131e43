package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.SharedBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Message schemas in the running service on the shared broker, kept in the definitions log (a stream of their
 * own here): a schema defined through one instance refuses messages on another within 2 s, and after a
 * restart; what is refused never reaches the broker, what matches does.
 */
class MessageSchemasIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String stream = uniqueName("it-schemas-definitions");
    private static BrokerProbe probe;
    private final String exchange = probe.exchange(uniqueName("schemas-ex"));
    private final String queue = probe.queue(uniqueName("schemas-q"));
    private final List<RunningService> services = new ArrayList<>();

    @BeforeAll
    static void probe() {
        probe = new BrokerProbe(SharedBroker.url());
    }

    @AfterAll
    static void closeProbe() {
        probe.close();
    }

    private static BrokerProbe broker() {
        return probe;
    }

    private RunningService instance() {
        RunningService s = RunningService.start(SharedBroker.url(), Map.of("DEFINITIONS_STREAM", stream));
        services.add(s);
        return s;
    }

    @BeforeEach
    void topology() {
        ApiClient api = instance().api();
        assertThat(api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "direct")))
                        .status())
                .isEqualTo(201);
        assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                .isEqualTo(201);
        assertThat(api.post(
                                "/api/v1/bindings",
                                json(Map.of("queue", queue, "exchange", exchange, "routingKey", "signup")))
                        .status())
                .isEqualTo(201);
    }

    @AfterEach
    void cleanUp() throws Exception {
        services.forEach(RunningService::close);
        try (Connection c = SharedBroker.connect();
                Channel ch = c.createChannel()) {
            ch.queueDelete(stream);
        }
    }

    private String signUpSchema() throws Exception {
        return "{\"routingKey\":\"signup\",\"schema\":"
                + Files.readString(Path.of("../docs/schemas/confirmation-email.schema.json"), StandardCharsets.UTF_8)
                + "}";
    }

    private Response publish(ApiClient api, Object message) {
        return api.publish(json(Map.of("exchange", exchange, "routingKey", "signup", "message", message)));
    }

    private static Map<String, Object> signUp(String to) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        if (to != null) {
            m.put("to", to);
        }
        m.put("template", "confirmation");
        m.put("variables", Map.of("userName", "Ada", "confirmationUrl", "https://example.com/confirm?token=abc"));
        return m;
    }

    @Test
    void aSignUpWithoutToIsRefusedAtTheDoorOnEveryInstanceAndNothingIsPublished() throws Exception {
        ApiClient first = services.get(0).api();
        ApiClient second = instance().api();

        Response put = first.put("/api/v1/schemas/" + exchange, signUpSchema());
        assertThat(put.status()).as(put.body()).isEqualTo(201);

        // Applied by the instance that answered before it answered, by the other within 2 s.
        Response refused = publish(first, signUp(null));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.problem().type()).isEqualTo("urn:queue-service:problem:schema-violation");
        assertThat(refused.problem().errors()).singleElement().satisfies(e -> {
            assertThat(e.pointer()).isEqualTo("/to");
            assertThat(e.message()).contains("'to'");
        });
        await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> publish(second, signUp(null)).status() == 422);

        Response accepted = publish(second, signUp("ada@example.com"));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        assertThat(broker().drain(queue))
                .singleElement()
                .satisfies(body ->
                        assertThat(JSON.readTree(body).path("to").asText()).isEqualTo("ada@example.com"));
    }

    @Test
    void batchItemsAndDelayedPublishesAreCheckedToo() throws Exception {
        ApiClient api = services.get(0).api();
        assertThat(api.put("/api/v1/schemas/" + exchange, signUpSchema()).status())
                .isEqualTo(201);

        Response batch = api.post(
                "/api/v1/publish/batch",
                json(Map.of(
                        "messages",
                        List.of(
                                Map.of(
                                        "exchange",
                                        exchange,
                                        "routingKey",
                                        "signup",
                                        "message",
                                        signUp("a@example.com")),
                                Map.of("exchange", exchange, "routingKey", "signup", "message", signUp(null))))));
        assertThat(batch.status()).as(batch.body()).isEqualTo(200);
        JsonNode results = batch.json().path("results");
        assertThat(results.get(0).path("status").asText()).isEqualTo("published");
        assertThat(results.get(1).path("error").path("type").asText())
                .isEqualTo("urn:queue-service:problem:schema-violation");
        assertThat(results.get(1)
                        .path("error")
                        .path("errors")
                        .get(0)
                        .path("pointer")
                        .asText())
                .isEqualTo("/to");

        Response delayed = api.publish(json(Map.of(
                "exchange",
                exchange,
                "routingKey",
                "signup",
                "message",
                signUp(null),
                "options",
                Map.of("delay", 100))));
        assertThat(delayed.status()).as(delayed.body()).isEqualTo(422);

        // Only the good item of the batch ever reaches the queue: the delayed one was never scheduled.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> broker().depth(queue) == 1);
    }

    @Test
    void schemasSurviveARestartOfEveryInstance() throws Exception {
        ApiClient api = services.get(0).api();
        assertThat(api.put("/api/v1/schemas/" + exchange, signUpSchema()).status())
                .isEqualTo(201);
        services.get(0).close();

        ApiClient restarted = instance().api();

        Response read = restarted.get("/api/v1/schemas/" + exchange + "?routingKey=signup");
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        assertThat(read.json().path("schema").path("title").asText()).isEqualTo("Confirmation email");
        assertThat(publish(restarted, signUp(null)).status()).isEqualTo(422);

        assertThat(restarted
                        .delete("/api/v1/schemas/" + exchange + "?routingKey=signup")
                        .status())
                .isEqualTo(204);
        assertThat(publish(restarted, Map.of("anything", true)).status()).isEqualTo(202);
        assertThat(restarted.get("/api/v1/schemas").json().path("schemas").size())
                .isZero();
    }
}
