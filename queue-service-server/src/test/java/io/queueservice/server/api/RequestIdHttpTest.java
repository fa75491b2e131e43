package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.Topology;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.schemas.MemorySchemaStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * X-Request-Id on every response, whatever its status, and the request's id in the log context of its
 * request log line, also when the response completes on another thread (an asynchronous publish).
 */
class RequestIdHttpTest {
    private static final int MAX_BODY = 2048;

    private static final Logger requests = (Logger) LoggerFactory.getLogger("io.queueservice.server.requests");
    private static final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private static Level requestsLevel;

    private static OfflineApi api;
    private static HttpClient client;
    private static String base;

    @BeforeAll
    static void startApi() {
        requestsLevel = requests.getLevel();
        requests.setLevel(Level.DEBUG); // read once, when the API is created
        lines.start();
        requests.addAppender(lines);

        api = OfflineApi.start(Map.of("MAX_BODY_SIZE", Integer.toString(MAX_BODY), "SHUTDOWN_TIMEOUT", "500"));
        base = api.base();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stopApi() {
        requests.detachAppender(lines);
        requests.setLevel(requestsLevel);
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    /** Requests answered with each kind of status: method, path, body, expected status. */
    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of("GET", "/healthz", null, 200),
                Arguments.of("GET", "/healthz/ready", null, 503),
                Arguments.of("POST", "/api/v1/publish", "{\"nope\":1}", 400),
                Arguments.of("GET", "/no/such/path", null, 404),
                Arguments.of("DELETE", "/healthz", null, 405),
                Arguments.of("POST", "/api/v1/publish", "{\"message\":\"" + "x".repeat(MAX_BODY) + "\"}", 413),
                // valid: refused once the publisher finds no broker (the answer is written asynchronously)
                Arguments.of("POST", "/api/v1/publish", "{\"routingKey\":\"q\",\"message\":1}", 503));
    }

    private static HttpResponse<String> send(String method, String path, String body, String requestId)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (requestId != null) {
            r.header("X-Request-Id", requestId);
        }
        return client.send(r.build(), BodyHandlers.ofString());
    }

    /** The request log line of the request with this id (the log line may follow the response). */
    private static ILoggingEvent logLineOf(String requestId) {
        List<ILoggingEvent> found = new ArrayList<>();
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    found.clear();
                    synchronized (lines) {
                        lines.list.stream()
                                .filter(e ->
                                        requestId.equals(e.getMDCPropertyMap().get("requestId")))
                                .forEach(found::add);
                    }
                    return !found.isEmpty();
                });
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    @ParameterizedTest
    @MethodSource("requests")
    void everyResponseCarriesAGeneratedRequestId(String method, String path, String body, int status) throws Exception {
        HttpResponse<String> response = send(method, path, body, null);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(logLineOf(id).getFormattedMessage()).startsWith(method + " " + path + " " + status);
    }

    @ParameterizedTest
    @MethodSource("requests")
    void aGivenRequestIdIsEchoedAndLogged(String method, String path, String body, int status) throws Exception {
        String given = "client-" + UUID.randomUUID() + "/" + status;

        HttpResponse<String> response = send(method, path, body, given);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().allValues("X-Request-Id")).containsExactly(given);
        assertThat(logLineOf(given).getFormattedMessage()).startsWith(method + " " + path + " " + status);
    }

    @Test
    void anInsaneRequestIdIsReplaced() throws Exception {
        String tooLong = "x".repeat(RequestIds.MAX_LENGTH + 1);

        HttpResponse<String> response = send("GET", "/healthz", null, tooLong);

        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).isNotEqualTo(tooLong);
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    }

    @Test
    void eachRequestGetsItsOwnId() throws Exception {
        String first = send("GET", "/healthz", null, null)
                .headers()
                .firstValue("X-Request-Id")
                .orElseThrow();
        String second = send("GET", "/healthz", null, null)
                .headers()
                .firstValue("X-Request-Id")
                .orElseThrow();

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void anUnexpectedFailureIsLoggedWithTheRequestIdAndAnsweredWithIt() throws Exception {
        Logger problems = (Logger) LoggerFactory.getLogger(Problems.class);
        ListAppender<ILoggingEvent> errors = new ListAppender<>();
        errors.start();
        problems.addAppender(errors);
        ServerConfig config =
                ServerConfig.from(Map.of("AUTH_MODE", "none", "RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1"));
        BrokerConnection connection = new BrokerConnection(config.broker(), "test-broken", Duration.ofSeconds(1));
        Topology topology = new Topology(connection);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // No publisher: publishing fails with a NullPointerException, a failure no mapping expects.
        ApiServer broken = HttpApi.create(
                        config,
                        Optional.of(new HttpApi.Gateway(
                                topology,
                                null,
                                PublishMetrics.NO_OP,
                                new QueueDepths(topology, registry, Duration.ofMinutes(1)),
                                Optional.empty(),
                                TestDelays.unavailable(),
                                Idempotency.create(config.idempotency(), registry),
                                new UnavailableSubscriptions(),
                                MemorySchemaStore.schemas())),
                        new Health(List.of(connection), "test"),
                        registry)
                .start("127.0.0.1", 0);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broken.port() + "/api/v1/publish"))
                            .header("X-Request-Id", "broken-1")
                            .POST(BodyPublishers.ofString("{\"routingKey\":\"q\",\"message\":1}"))
                            .build(),
                    BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.headers().allValues("X-Request-Id")).containsExactly("broken-1");
        } finally {
            broken.stop();
            connection.close();
            problems.detachAppender(errors);
        }
        assertThat(errors.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.ERROR);
            assertThat(e.getMDCPropertyMap()).containsEntry("requestId", "broken-1");
        });
    }
}
