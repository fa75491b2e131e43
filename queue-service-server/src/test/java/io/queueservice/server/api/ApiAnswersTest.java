package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.publish.MessageNackedException;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.publish.UnroutableMessageException;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.schemas.MemorySchemaStore;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.FakeTopology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every answer of the publish and topology routes, from the real HTTP layer in front of a fake publisher
 * and a fake topology: what each outcome of the broker becomes for the client, without a broker.
 */
class ApiAnswersTest {
    private static final String SECRET = "an-hmac-secret-of-at-least-32-bytes!!";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The publisher's outcome for a message, chosen by its routing key. */
    private static final Map<String, Function<OutgoingMessage, CompletableFuture<Void>>> OUTCOMES = Map.of(
            "ok", m -> CompletableFuture.completedFuture(null),
            "missing", m -> CompletableFuture.failedFuture(new ResourceNotFoundException("exchange", m.exchange())),
            "unroutable",
                    m -> CompletableFuture.failedFuture(new UnroutableMessageException(m.exchange(), m.routingKey())),
            "nacked", m -> CompletableFuture.failedFuture(new MessageNackedException()),
            "down",
                    m -> CompletableFuture.failedFuture(
                            new BrokerUnavailableException("not connected to the broker", Duration.ofSeconds(3))),
            "slow",
                    m -> CompletableFuture.failedFuture(
                            new BrokerTimeoutException("the broker did not confirm the message in time")));

    private static final ConcurrentLinkedQueue<OutgoingMessage> published = new ConcurrentLinkedQueue<>();

    private static final Publisher PUBLISHER = m -> {
        published.add(m);
        return OUTCOMES.get(m.routingKey()).apply(m);
    };

    /** Declares queues and exchanges as asked, except those whose names say otherwise. */
    private static final TopologyOperations TOPOLOGY = new FakeTopology() {
        @Override
        public boolean declareQueue(QueueSpec spec) {
            if (spec.name().equals("taken")) {
                throw new ResourceConflictException("queue 'taken' exists with other settings", "x-max-length");
            }
            return !spec.name().equals("existing");
        }
    };

    private static ApiServer api;
    private static HttpClient client;
    private static String base;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.from(Map.of(
                "AUTH_MODE", "jwt",
                "JWT_SECRET", SECRET,
                "MAX_BODY_SIZE", "2048",
                "RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        api = HttpApi.create(
                        config,
                        Optional.of(new HttpApi.Gateway(
                                TOPOLOGY,
                                PUBLISHER,
                                PublishMetrics.NO_OP,
                                new QueueDepths(
                                        queue -> java.util.OptionalLong.empty(), registry, Duration.ofMinutes(1)),
                                Optional.empty(),
                                TestDelays.scheduling(),
                                Idempotency.create(config.idempotency(), registry),
                                new UnavailableSubscriptions(),
                                MemorySchemaStore.schemas())),
                        new Health(List.of(), "test"),
                        registry)
                .start("127.0.0.1", 0);
        base = "http://127.0.0.1:" + api.port();
        client = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.stop();
        }
    }

    private static HttpResponse<String> post(String path, String scope, String body) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header(
                                "Authorization",
                                "Bearer "
                                        + TestTokens.hs256(
                                                SECRET,
                                                TestTokens.claims("t", scope).build()))
                        .header("Content-Type", "application/json")
                        .POST(BodyPublishers.ofString(body))
                        .build(),
                BodyHandlers.ofString());
    }

    private static HttpResponse<String> publish(String exchange, String routingKey) throws Exception {
        return post(
                "/api/v1/publish",
                "publish",
                "{\"exchange\":\"" + exchange + "\",\"routingKey\":\"" + routingKey + "\",\"message\":{\"n\":1}}");
    }

    private static JsonNode problem(HttpResponse<String> response, int status, String type) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains(Problem.CONTENT_TYPE);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("urn:queue-service:problem:" + type);
        assertThat(body.path("status").asInt()).isEqualTo(status);
        return body;
    }

    @Test
    void aConfirmedMessageIs202WithItsId() throws Exception {
        HttpResponse<String> response = publish("events", "ok");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("published");
        assertThat(body.path("exchange").asText()).isEqualTo("events");
        assertThat(body.path("routingKey").asText()).isEqualTo("ok");
        assertThat(published)
                .anySatisfy(m -> assertThat(m.properties().getMessageId())
                        .isEqualTo(body.path("messageId").asText()));
    }

    @ParameterizedTest
    @CsvSource({
        "missing, 404, not-found, false",
        "unroutable, 422, unroutable, false",
        "nacked, 503, nacked, true",
        "down, 503, unavailable, true",
        "slow, 504, timeout, false"
    })
    void eachPublishOutcomeHasItsAnswer(String routingKey, int status, String type, boolean retryAfter)
            throws Exception {
        HttpResponse<String> response = publish("events", routingKey);

        problem(response, status, type);
        assertThat(response.headers().firstValue("Retry-After").isPresent()).isEqualTo(retryAfter);
    }

    @Test
    void anInvalidRequestIs400AndReachesNoPublisher() throws Exception {
        int before = published.size();

        JsonNode body = problem(post("/api/v1/publish", "publish", "{\"routingKey\":5}"), 400, "validation");

        assertThat(body.path("errors").toString()).contains("routingKey").contains("message");
        assertThat(published).hasSize(before);
    }

    @Test
    void anExchangeOutsideTheTokensScopeIs403() throws Exception {
        HttpResponse<String> response = post(
                "/api/v1/publish", "publish:orders", "{\"exchange\":\"billing\",\"routingKey\":\"ok\",\"message\":1}");

        problem(response, 403, "insufficient-scope");
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .get()
                .asString()
                .contains("publish:billing");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        problem(post("/api/v1/publish", "publish", "{\"message\":\"" + "x".repeat(3000) + "\"}"), 413, "too-large");
    }

    @Test
    void aQueueRedeclaredWithOtherSettingsIs409NamingTheArgument() throws Exception {
        JsonNode body = problem(post("/api/v1/queues", "topology:write", "{\"name\":\"taken\"}"), 409, "conflict");

        assertThat(body.path("argument").asText()).isEqualTo("x-max-length");
    }

    @Test
    void aDelayedPublishIs202ScheduledWithItsDueTime() throws Exception {
        HttpResponse<String> response = post(
                "/api/v1/publish",
                "publish",
                "{\"exchange\":\"events\",\"routingKey\":\"ok\",\"message\":1,\"options\":{\"delay\":60000}}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("scheduled");
        assertThat(body.path("messageId").asText()).isNotBlank();
        assertThat(java.time.Instant.parse(body.path("deliverAt").asText()))
                .isAfter(java.time.Instant.now().plusSeconds(50));
    }

    @Test
    void aDelayOutOfRangeIsA400OnOptionsDelay() throws Exception {
        JsonNode body = problem(
                post("/api/v1/publish", "publish", "{\"routingKey\":\"ok\",\"message\":1,\"options\":{\"delay\":-1}}"),
                400,
                "validation");

        assertThat(body.path("errors").get(0).path("field").asText()).isEqualTo("options.delay");
    }

    @Test
    void publishingIntoTheDelayMachineryDirectlyIsRefused() throws Exception {
        JsonNode body = problem(publish("qs.delay.level.03", "ok"), 400, "validation");

        assertThat(body.path("errors").get(0).path("field").asText()).isEqualTo("exchange");
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstAnswerAndPublishesOnce() throws Exception {
        String body = "{\"routingKey\":\"ok\",\"message\":{\"order\":42}}";
        int before = published.size();

        HttpResponse<String> first = postWithKey("order-42", body);
        HttpResponse<String> again = postWithKey("order-42", body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(published).hasSize(before + 1);
    }

    @Test
    void anIdempotencyKeyWithAnotherBodyIs422() throws Exception {
        postWithKey("order-43", "{\"routingKey\":\"ok\",\"message\":1}");

        problem(postWithKey("order-43", "{\"routingKey\":\"ok\",\"message\":2}"), 422, "idempotency-mismatch");
    }

    @Test
    void aFailureThatIsNotKeptLetsTheRetryGoThrough() throws Exception {
        int before = published.size();

        problem(postWithKey("order-44", "{\"routingKey\":\"down\",\"message\":1}"), 503, "unavailable");
        problem(postWithKey("order-44", "{\"routingKey\":\"down\",\"message\":1}"), 503, "unavailable");

        assertThat(published).hasSize(before + 2);
    }

    @Test
    void aMalformedIdempotencyKeyIs400() throws Exception {
        JsonNode body = problem(postWithKey("", "{\"routingKey\":\"ok\",\"message\":1}"), 400, "validation");

        assertThat(body.path("errors").get(0).path("field").asText()).isEqualTo("Idempotency-Key");
    }

    private static HttpResponse<String> postWithKey(String key, String body) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/publish"))
                        .header(
                                "Authorization",
                                "Bearer "
                                        + TestTokens.hs256(
                                                SECRET,
                                                TestTokens.claims("t", "publish")
                                                        .build()))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(BodyPublishers.ofString(body))
                        .build(),
                BodyHandlers.ofString());
    }

    @Test
    void aQueueIs201WhenCreatedAnd200WhenItExisted() throws Exception {
        assertThat(post("/api/v1/queues", "topology:write", "{\"name\":\"fresh\"}")
                        .statusCode())
                .isEqualTo(201);
        assertThat(post("/api/v1/queues", "topology:write", "{\"name\":\"existing\"}")
                        .statusCode())
                .isEqualTo(200);
    }
}
