package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.deadletters.DeadLetterListing;
import io.queueservice.deadletters.DeadLetterOperations;
import io.queueservice.deadletters.DeadLetterQueue;
import io.queueservice.deadletters.DeadLetterRouting.Via;
import io.queueservice.deadletters.Failure;
import io.queueservice.deadletters.MessageBody;
import io.queueservice.deadletters.Peek;
import io.queueservice.deadletters.PeekedMessage;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.publish.Publisher;
import io.queueservice.redrive.RedriveOperations;
import io.queueservice.redrive.RedriveRequest;
import io.queueservice.redrive.RedriveState;
import io.queueservice.redrive.RedriveStatus;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.schemas.MemorySchemaStore;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.FakeTopology;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dead-letter, redrive and console routes from the real HTTP layer in front of fake operations: what each
 * outcome becomes for the client, which scope each needs, and how bad input is told, without a broker.
 */
class DeadLetterApiTest {
    private static final String SECRET = "an-hmac-secret-of-at-least-32-bytes!!";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant STARTED = Instant.parse("2026-03-01T10:00:00Z");

    private static final AtomicReference<RedriveRequest> lastRequest = new AtomicReference<>();

    private static final DeadLetterOperations DEAD_LETTERS = new DeadLetterOperations() {
        @Override
        public DeadLetterListing deadLetterQueues() {
            return new DeadLetterListing(
                    List.of(new DeadLetterQueue("orders.dlq", List.of("orders"), Set.of(Via.WORKER), 3, 0)), false);
        }

        @Override
        public Peek peek(String queue, int limit) {
            if (queue.equals("missing")) {
                throw new ResourceNotFoundException("queue", queue);
            }
            Map<String, Object> headers = Map.of("qs-failure-reason", "card declined");
            return new Peek(
                    queue,
                    7,
                    List.of(new PeekedMessage(
                            "",
                            queue,
                            true,
                            new AMQP.BasicProperties.Builder()
                                    .messageId("m-" + limit)
                                    .build(),
                            headers,
                            MessageBody.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json", null),
                            Failure.decode(headers))));
        }
    };

    private static final RedriveOperations REDRIVES = new RedriveOperations() {
        @Override
        public RedriveStatus start(String queue, RedriveRequest request) {
            if (queue.equals("busy")) {
                throw new ResourceConflictException("redrive r-0 of queue 'busy' is running", null);
            }
            lastRequest.set(request);
            return status("r-1", queue, RedriveState.RUNNING, request);
        }

        @Override
        public Optional<RedriveStatus> find(String id) {
            return id.equals("r-1")
                    ? Optional.of(status("r-1", "orders.dlq", RedriveState.COMPLETED, RedriveRequest.all()))
                    : Optional.empty();
        }

        @Override
        public List<RedriveStatus> list() {
            return List.of(find("r-1").orElseThrow());
        }

        @Override
        public RedriveStatus cancel(String id) {
            return status(id, "orders.dlq", RedriveState.RUNNING, RedriveRequest.all());
        }
    };

    private static RedriveStatus status(String id, String queue, RedriveState state, RedriveRequest request) {
        boolean done = state != RedriveState.RUNNING;
        return new RedriveStatus(
                id,
                queue,
                state,
                done ? 3 : 0,
                0,
                3,
                STARTED,
                done ? Optional.of(STARTED.plusSeconds(1)) : Optional.empty(),
                Optional.empty(),
                request);
    }

    private static final TopologyOperations NO_TOPOLOGY = new FakeTopology() {
        @Override
        public QueueInfo queueInfo(String name) {
            return new QueueInfo(name, 3, 0);
        }
    };

    private static ApiServer api;
    private static HttpClient client;
    private static String base;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.from(
                Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET, "RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        QueueTraffic traffic = new QueueTraffic();
        Publisher publisher = m -> CompletableFuture.completedFuture(null);
        api = HttpApi.create(
                        config,
                        Optional.of(new HttpApi.Gateway(
                                NO_TOPOLOGY,
                                traffic.counting(publisher),
                                PublishMetrics.NO_OP,
                                new QueueDepths(
                                        queue -> java.util.OptionalLong.empty(), registry, Duration.ofMinutes(1)),
                                Optional.empty(),
                                TestDelays.scheduling(),
                                Idempotency.create(config.idempotency(), registry),
                                new UnavailableSubscriptions(),
                                MemorySchemaStore.schemas(),
                                Optional.of(new HttpApi.DeadLetters(DEAD_LETTERS, REDRIVES, traffic)))),
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

    private static HttpResponse<String> send(String method, String path, String scope, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (scope != null) {
            b.header(
                    "Authorization",
                    "Bearer "
                            + TestTokens.hs256(
                                    SECRET, TestTokens.claims("t", scope).build()));
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    private static List<String> fields(HttpResponse<String> r) throws Exception {
        JsonNode body = json(r, 400);
        return body.path("errors").findValuesAsText("field");
    }

    @Test
    void readingNeedsTopologyReadAndRedrivingTopologyWrite() throws Exception {
        assertThat(send("GET", "/api/v1/deadletters", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/deadletters", "publish", null).statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/api/v1/deadletters", "topology:read", null).statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/api/v1/queues/orders.dlq/messages", "topology:read", null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/api/v1/redrives/r-1", "topology:read", null).statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/v1/queues/orders.dlq/redrive", "topology:read", "{}")
                        .statusCode())
                .isEqualTo(403);
        assertThat(send("DELETE", "/api/v1/redrives/r-1", "topology:read", null).statusCode())
                .isEqualTo(403);
        assertThat(send("POST", "/api/v1/queues/orders.dlq/redrive", "topology:write", "{}")
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void theDeadLetterQueuesAndAMessageAreAnsweredWithTheirFailure() throws Exception {
        JsonNode listed = json(send("GET", "/api/v1/deadletters", "topology:read", null), 200);
        assertThat(listed.path("complete").asBoolean()).isFalse();
        assertThat(listed.path("deadLetterQueues").get(0).path("serves").get(0).asText())
                .isEqualTo("orders");
        assertThat(listed.path("deadLetterQueues").get(0).path("via").get(0).asText())
                .isEqualTo("worker");

        JsonNode look = json(send("GET", "/api/v1/queues/orders.dlq/messages?limit=5", "topology:read", null), 200);
        assertThat(look.path("depth").asLong()).isEqualTo(7);
        JsonNode m = look.path("messages").get(0);
        assertThat(m.path("properties").path("messageId").asText()).isEqualTo("m-5");
        assertThat(m.path("body").path("encoding").asText()).isEqualTo("text");
        assertThat(m.path("deadLetter").path("reason").asText()).isEqualTo("card declined");
        assertThat(m.path("deadLetter").path("source").asText()).isEqualTo("worker");
        assertThat(m.path("deadLetter").has("exceptionClass"))
                .as("absent fields are left out")
                .isFalse();

        assertThat(json(send("GET", "/api/v1/queues/orders.dlq/messages", "topology:read", null), 200)
                        .path("messages")
                        .get(0)
                        .path("properties")
                        .path("messageId")
                        .asText())
                .as("10 by default")
                .isEqualTo("m-10");
        assertThat(send("GET", "/api/v1/queues/missing/messages", "topology:read", null)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void aLimitOutsideOneToAHundredIsRefused() throws Exception {
        for (String limit : List.of("0", "101", "ten", "1.5")) {
            assertThat(fields(send("GET", "/api/v1/queues/q/messages?limit=" + limit, "topology:read", null)))
                    .as(limit)
                    .containsExactly("limit");
        }
        assertThat(fields(send("GET", "/api/v1/queues/q/messages?limit=1&limit=2", "topology:read", null)))
                .containsExactly("limit");
    }

    @Test
    void aRedriveStartsWith202ItsUrlAndTheRequestAsSent() throws Exception {
        HttpResponse<String> r = send(
                "POST",
                "/api/v1/queues/orders.dlq/redrive",
                "topology:write",
                "{\"limit\":5,\"ratePerSecond\":50,\"destination\":{\"exchange\":\"\",\"routingKey\":\"orders\"}}");

        JsonNode body = json(r, 202);
        assertThat(r.headers().firstValue("Location")).contains("/api/v1/redrives/r-1");
        assertThat(body.path("url").asText()).isEqualTo("/api/v1/redrives/r-1");
        assertThat(body.path("state").asText()).isEqualTo("running");
        assertThat(body.path("destination").path("routingKey").asText()).isEqualTo("orders");
        assertThat(lastRequest.get().limit()).hasValue(5);
        assertThat(lastRequest.get().ratePerSecond()).isEqualTo(50);
        assertThat(lastRequest.get().destination().orElseThrow().routingKey()).isEqualTo("orders");

        json(send("POST", "/api/v1/queues/orders.dlq/redrive", "topology:write", null), 202);
        assertThat(lastRequest.get())
                .as("no body: every message, back where it came from")
                .isEqualTo(RedriveRequest.all());
    }

    @Test
    void badRedriveRequestsNameTheField() throws Exception {
        assertThat(fields(send("POST", "/api/v1/queues/q/redrive", "topology:write", "{\"limit\":0}")))
                .containsExactly("limit");
        assertThat(fields(send("POST", "/api/v1/queues/q/redrive", "topology:write", "{\"ratePerSecond\":0}")))
                .containsExactly("ratePerSecond");
        assertThat(fields(send("POST", "/api/v1/queues/q/redrive", "topology:write", "{\"limit\":\"5\"}")))
                .containsExactly("limit");
        assertThat(fields(send("POST", "/api/v1/queues/q/redrive", "topology:write", "{\"speed\":1}")))
                .containsExactly("speed");
        assertThat(fields(send(
                        "POST",
                        "/api/v1/queues/q/redrive",
                        "topology:write",
                        "{\"destination\":{\"routingKey\":\"k\"}}")))
                .containsExactly("destination.exchange");
    }

    @Test
    void conflictsAndUnknownRedrivesAreProblems() throws Exception {
        JsonNode conflict = json(send("POST", "/api/v1/queues/busy/redrive", "topology:write", "{}"), 409);
        assertThat(conflict.path("type").asText()).isEqualTo("urn:queue-service:problem:conflict");
        assertThat(conflict.path("detail").asText()).contains("r-0");

        assertThat(json(send("GET", "/api/v1/redrives/nope", "topology:read", null), 404)
                        .path("type")
                        .asText())
                .isEqualTo("urn:queue-service:problem:not-found");
        json(send("DELETE", "/api/v1/redrives/nope", "topology:write", null), 404);
        assertThat(json(send("DELETE", "/api/v1/redrives/r-1", "topology:write", null), 202)
                        .path("id")
                        .asText())
                .isEqualTo("r-1");
        assertThat(json(send("GET", "/api/v1/redrives", "topology:read", null), 200)
                        .path("redrives")
                        .get(0)
                        .path("finishedAt")
                        .asText())
                .isEqualTo("2026-03-01T10:00:01Z");
    }

    @Test
    void theConsoleIsServedWithoutATokenUnderAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> redirect = send("GET", "/console", null, null);
        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(redirect.headers().firstValue("Location")).contains("/console/");

        HttpResponse<String> page = send("GET", "/console/", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("<script src=\"console.js\" defer></script>")
                .doesNotContain("<script>");
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp)
                        .contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'")
                        .doesNotContain("unsafe"));
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(send("GET", "/console/console.js", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/console/console.css", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/console/../queue-service.properties", null, null)
                        .statusCode())
                .isNotEqualTo(200);
        assertThat(send("GET", "/console/nothing-here.js", null, null).statusCode())
                .isEqualTo(404);
    }

    @Test
    void statsCountWhatWasPublishedToAQueueThroughTheDefaultExchange() throws Exception {
        HttpResponse<String> published = send(
                "POST",
                "/api/v1/publish",
                "publish",
                "{\"exchange\":\"\",\"routingKey\":\"counted\",\"message\":{\"n\":1}}");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(202);

        JsonNode stats = json(send("GET", "/api/v1/stats", "topology:read", null), 200);
        JsonNode counted = null;
        for (JsonNode q : stats.path("queues")) {
            if (q.path("name").asText().equals("counted")) {
                counted = q;
            }
        }
        assertThat(counted).as(stats.toString()).isNotNull();
        assertThat(counted.path("published").asLong()).isEqualTo(1);
        assertThat(counted.path("messages").asLong()).isEqualTo(3);
    }
}
