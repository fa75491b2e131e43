package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real HTTP stack (Vert.x, the JSON reader, the problem mapper) in front of broker connections that
 * are never started: everything that must be answered without the broker, and how its absence is told.
 */
class HttpApiTest {
    private static final int MAX_BODY = 2048;
    private static final long REQUEST_TIMEOUT_MS = 5000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static OfflineApi api;
    private static HttpClient client;
    private static String base;

    @BeforeAll
    static void startApi() {
        api = OfflineApi.start(Map.of(
                "MAX_BODY_SIZE", Integer.toString(MAX_BODY),
                "REQUEST_TIMEOUT", Long.toString(REQUEST_TIMEOUT_MS),
                "SHUTDOWN_TIMEOUT", "500"));
        base = api.base();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stopApi() {
        if (client != null) {
            client.close(); // idle keep-alive connections would hold up the graceful stop
        }
        if (api != null) {
            api.close();
        }
    }

    // --- helpers

    private static HttpResponse<String> send(String method, String path, BodyPublisher body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMillis(REQUEST_TIMEOUT_MS * 2))
                .header("Content-Type", "application/json")
                .method(method, body)
                .build();
        return client.send(request, BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send("POST", path, BodyPublishers.ofString(json));
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, BodyPublishers.noBody());
    }

    /** The problem in a response, checked to be one: right content type and status inside. */
    private static Problem problem(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .get()
                .asString()
                .startsWith(Problem.CONTENT_TYPE);
        Problem p = JSON.readValue(response.body(), Problem.class);
        assertThat(p.status()).isEqualTo(status);
        assertThat(p.type()).startsWith("urn:queue-service:problem:");
        assertThat(p.title()).isNotBlank();
        return p;
    }

    /** A 400 validation problem; returns the first error. */
    private static ProblemError firstError(HttpResponse<String> response) throws IOException {
        Problem p = problem(response, 400);
        assertThat(p.type()).isEqualTo("urn:queue-service:problem:validation");
        assertThat(p.errors()).as("errors of %s", response.body()).isNotEmpty();
        return p.errors().get(0);
    }

    // --- malformed bodies

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"message\": ",
                "{message: 1}",
                "{\"message\": 1,}",
                "not json",
                "{\"routingKey\": tru}",
                "{\"a\":1"
            })
    void malformedJsonIsABodyProblem(String body) throws Exception {
        ProblemError error = firstError(post("/api/v1/publish", body));

        assertThat(error.field()).isEqualTo("body");
        assertThat(error.message()).contains("JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"message\":1}]", "\"text\"", "42"})
    void bodyThatIsNotAnObjectIsRefused(String body) throws Exception {
        ProblemError error = firstError(post("/api/v1/publish", body));

        assertThat(error.field()).isEqualTo("body");
        assertThat(error.message()).contains("JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"message\": [1, 2}", "{\"message\": {\"a\": }}", "{\"message\": tru}"})
    void malformedJsonInsideTheMessageIsRefused(String body) throws Exception {
        ProblemError error = firstError(post("/api/v1/publish", body));

        assertThat(error.field()).isIn("body", "message");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/publish", "/api/v1/queues", "/api/v1/exchanges", "/api/v1/bindings"})
    void nullBodyIsABadRequestNotAServerError(String path) throws Exception {
        assertThat(firstError(post(path, "null")).field()).isEqualTo("body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"message\":1} {\"message\":2}", "{\"message\":1} x", "{\"message\":1}]"})
    void trailingContentAfterTheObjectIsRefused(String body) throws Exception {
        assertThat(firstError(post("/api/v1/publish", body)).field()).isEqualTo("body");
    }

    @Test
    void duplicateFieldIsRefused() throws Exception {
        assertThat(problem(post("/api/v1/publish", "{\"message\":1,\"message\":2}"), 400)
                        .errors())
                .isNotEmpty();
    }

    @Test
    void emptyBodyIsRefused() throws Exception {
        ProblemError error = firstError(post("/api/v1/publish", ""));

        assertThat(error.field()).isEqualTo("body");
        assertThat(error.message()).contains("required");
    }

    @Test
    void unknownFieldIsNamedWithTheKnownFields() throws Exception {
        Problem p = problem(post("/api/v1/publish", "{\"message\":1,\"options\":{\"ttl\":1000}}"), 400);

        assertThat(p.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("options.ttl");
            assertThat(e.message())
                    .contains("not a known field")
                    .contains("expiration")
                    .contains("priority")
                    .contains("headers");
        });
        assertThat(p.instance()).isEqualTo("/api/v1/publish");
    }

    @Test
    void unknownTopLevelFieldIsNamed() throws Exception {
        ProblemError error = firstError(post("/api/v1/publish", "{\"message\":1,\"queue\":\"orders\"}"));

        assertThat(error.field()).isEqualTo("queue");
        assertThat(error.message()).contains("exchange").contains("routingKey");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"routingKey\": 5, \"message\": 1}                          | routingKey         | a string",
                "{\"routingKey\": true, \"message\": 1}                       | routingKey         | a string",
                "{\"message\": 1, \"options\": {\"persistent\": 1}}           | options.persistent | true or false",
                "{\"message\": 1, \"options\": {\"persistent\": \"true\"}}    | options.persistent | true or false",
                "{\"message\": 1, \"options\": {\"priority\": \"3\"}}         | options.priority   | an integer",
                "{\"message\": 1, \"options\": {\"priority\": 1.5}}           | options.priority   | an integer",
                "{\"message\": 1, \"options\": {\"headers\": [1]}}            | options.headers    | a JSON object",
                "{\"message\": 1, \"options\": 7}                             | options            | a JSON object",
            })
    void wrongTypeIsRefusedNamingTheField(String body, String field, String expected) throws Exception {
        ProblemError error = firstError(post("/api/v1/publish", body));

        assertThat(error.field()).isEqualTo(field);
        assertThat(error.message()).contains(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/api/v1/publish | {\"message\": 1, \"options\": {\"priority\": 3000000000}}            | options.priority",
                "/api/v1/queues  | {\"name\": \"q\", \"options\": {\"messageTtl\": 99999999999999999999}} | options.messageTtl",
                "/api/v1/queues  | {\"name\": \"q\", \"options\": {\"maxLength\": 1e3}}                   | options.maxLength",
            })
    void numberThatDoesNotFitItsFieldIsRefusedNamingTheField(String path, String body, String field) throws Exception {
        assertThat(firstError(post(path, body)).field()).isEqualTo(field);
    }

    @Test
    void utf8ByteOrderMarkIsSkipped() throws Exception {
        byte[] json = "{\"routingKey\":\"q\",\"message\":{\"a\":1}}".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[json.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(json, 0, withBom, 3, json.length);

        assertThat(send("POST", "/api/v1/publish", BodyPublishers.ofByteArray(withBom))
                        .statusCode())
                .isEqualTo(503);
    }

    @ParameterizedTest
    @ValueSource(strings = {"multipart/form-data", "application/x-www-form-urlencoded", "text/plain"})
    void aBodyIsReadAsJsonWhateverItsDeclaredType(String contentType) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/publish"))
                .header("Content-Type", contentType)
                .POST(BodyPublishers.ofString("{\"routingKey\":\"q\",\"message\":1}"))
                .build();

        // Read and valid: it fails only for want of a broker.
        assertThat(client.send(request, BodyHandlers.ofString()).statusCode()).isEqualTo(503);
    }

    @Test
    void utf16BodyIsABadRequestNotAServerError() throws Exception {
        byte[] utf16 = "{\"routingKey\":\"q\",\"message\":{\"a\":1}}".getBytes(StandardCharsets.UTF_16LE);

        assertThat(problem(send("POST", "/api/v1/publish", BodyPublishers.ofByteArray(utf16)), 400)
                        .errors())
                .isNotEmpty();
    }

    @Test
    void utf16BodyIsRefusedAsNotUtf8() throws Exception {
        byte[] utf16 = "{\"routingKey\":\"q\",\"message\":{\"a\":1}}".getBytes(StandardCharsets.UTF_16LE);

        ProblemError error = firstError(send("POST", "/api/v1/publish", BodyPublishers.ofByteArray(utf16)));

        assertThat(error.field()).isEqualTo("body");
        assertThat(error.message()).doesNotContain("arraycopy");
    }

    @Test
    void queueNameWithEncodedSlashReachesTheHandler() throws Exception {
        HttpResponse<String> response =
                send("DELETE", "/api/v1/queues/team%2Forders?ifEmpty=maybe", BodyPublishers.noBody());

        assertThat(firstError(response).field()).isEqualTo("ifEmpty");
    }

    // --- size limit

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        String big = "{\"message\":\"" + "x".repeat(MAX_BODY) + "\"}";

        Problem p = problem(post("/api/v1/publish", big), 413);

        assertThat(p.type()).isEqualTo("urn:queue-service:problem:too-large");
        assertThat(p.detail()).contains(Integer.toString(MAX_BODY));
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        byte[] big = ("{\"message\":\"" + "x".repeat(MAX_BODY) + "\"}").getBytes();

        // No Content-Length: the limit must hold while reading.
        HttpResponse<String> response =
                send("POST", "/api/v1/publish", BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));

        assertThat(problem(response, 413).type()).isEqualTo("urn:queue-service:problem:too-large");
    }

    @Test
    void bodyJustUnderTheLimitIsRead() throws Exception {
        String prefix = "{\"routingKey\":\"q\",\"message\":\"";
        String body = prefix + "x".repeat(MAX_BODY - prefix.length() - 2) + "\"}";
        assertThat(body).hasSize(MAX_BODY);

        // Read and valid: it fails only for want of a broker.
        assertThat(post("/api/v1/publish", body).statusCode()).isEqualTo(503);
    }

    // --- routes

    @Test
    void unknownRouteIsANotFoundProblem() throws Exception {
        Problem p = problem(get("/api/v1/nothing-here"), 404);

        assertThat(p.instance()).isEqualTo("/api/v1/nothing-here");
    }

    // --- without a broker

    @Test
    void validPublishWithoutBrokerIsA503WithRetryAfterAnsweredFast() throws Exception {
        post("/api/v1/publish", "{\"routingKey\":\"warm-up\",\"message\":1}"); // class loading is not what is measured
        long started = System.nanoTime();

        HttpResponse<String> response = post("/api/v1/publish", "{\"routingKey\":\"orders\",\"message\":{\"id\":1}}");

        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        Problem p = problem(response, 503);
        assertThat(p.type()).isEqualTo("urn:queue-service:problem:unavailable");
        assertThat(p.detail()).contains("not connected");
        assertThat(response.headers().firstValue("Retry-After"))
                .get()
                .satisfies(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
        assertThat(elapsedMs)
                .as("answered without waiting for the request timeout")
                .isLessThan(REQUEST_TIMEOUT_MS / 5);
    }

    @Test
    void failedPublishIsCountedInMetrics() throws Exception {
        post("/api/v1/publish", "{\"exchange\":\"\",\"routingKey\":\"metered\",\"message\":1}");

        HttpResponse<String> metrics = get("/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type"))
                .get()
                .asString()
                .startsWith("text/plain");
        assertThat(metrics.body())
                .containsPattern("queue_message_publish_errors_total\\{[^}]*reason=\"unavailable\"[^}]*\\} [1-9]");
        assertThat(metrics.body()).contains("exchange=\"amq.default\"");
    }

    @Test
    void queueInfoWithoutBrokerIsA503() throws Exception {
        HttpResponse<String> response = get("/api/v1/queues/orders");

        assertThat(problem(response, 503).type()).isEqualTo("urn:queue-service:problem:unavailable");
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void validQueueDeclarationWithoutBrokerIsA503() throws Exception {
        assertThat(problem(post("/api/v1/queues", "{\"name\":\"orders\",\"options\":{\"type\":\"quorum\"}}"), 503)
                        .detail())
                .doesNotContain("127.0.0.1");
    }

    // --- topology validation, before the broker is asked

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"name\":\"orders\",\"options\":{\"overflow\":\"foo\"}}                      | options.overflow",
                "{\"name\":\"orders\",\"options\":{\"type\":\"quorum\",\"durable\":false}}       | options.durable",
                "{\"name\":\"amq.x\"}                                                          | name",
                "{\"name\":\"orders\",\"options\":{\"type\":\"fast\"}}                           | options.type",
                "{\"name\":\"orders\",\"options\":{\"messageTtl\":-1}}                           | options.messageTtl",
                "{\"name\":\"orders\",\"options\":{\"messageTtl\":1,\"arguments\":{\"x-message-ttl\":2}}} | options.arguments.x-message-ttl",
                "{\"options\":{}}                                                              | name",
                "{\"name\":\"orders\",\"options\":{\"deliveryLimit\":3}}                         | options.deliveryLimit",
                "{\"name\":\"orders\",\"options\":{\"type\":\"quorum\",\"deliveryLimit\":\"3\"}}    | options.deliveryLimit",
                "{\"name\":\"orders\",\"options\":{\"type\":\"quorum\",\"deadLetterStrategy\":\"x\"}} | options.deadLetterStrategy",
                "{\"name\":\"orders\",\"options\":{\"type\":\"classic\",\"quorumInitialGroupSize\":3}} | options.quorumInitialGroupSize",
            })
    void invalidQueueDeclarationIsRefusedNamingTheField(String body, String field) throws Exception {
        Problem p = problem(post("/api/v1/queues", body), 400);

        assertThat(p.errors()).extracting(ProblemError::field).containsExactly(field);
    }

    @Test
    void quorumQueueRulesAreAllReported() throws Exception {
        Problem p = problem(
                post(
                        "/api/v1/queues",
                        "{\"name\":\"amq.x\",\"options\":{\"type\":\"quorum\",\"durable\":false,\"lazy\":true,\"maxPriority\":5}}"),
                400);

        assertThat(p.errors())
                .extracting(ProblemError::field)
                .containsExactlyInAnyOrder("name", "options.durable", "options.lazy", "options.maxPriority");
    }

    @Test
    void atLeastOnceDeadLetteringNamesWhatItLacks() throws Exception {
        Problem p = problem(
                post(
                        "/api/v1/queues",
                        "{\"name\":\"orders\",\"options\":{\"type\":\"quorum\",\"deadLetterStrategy\":\"at-least-once\"}}"),
                400);

        assertThat(p.errors())
                .extracting(ProblemError::field)
                .containsExactlyInAnyOrder("options.overflow", "options.deadLetterExchange");
    }

    @Test
    void everyQueueViolationIsReportedAtOnce() throws Exception {
        Problem p = problem(
                post(
                        "/api/v1/queues",
                        "{\"name\":\"amq.x\",\"options\":{\"overflow\":\"foo\",\"type\":\"quorum\",\"durable\":false}}"),
                400);

        assertThat(p.errors())
                .extracting(ProblemError::field)
                .containsExactlyInAnyOrder("name", "options.overflow", "options.durable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "TRUE", "1", ""})
    void deleteQueueWithBadFlagIsRefused(String value) throws Exception {
        HttpResponse<String> response = send("DELETE", "/api/v1/queues/x?ifEmpty=" + value, BodyPublishers.noBody());

        ProblemError error = firstError(response);
        assertThat(error.field()).isEqualTo("ifEmpty");
        assertThat(error.message()).contains("'" + value + "'");
    }

    @Test
    void deleteExchangeWithBadFlagIsRefused() throws Exception {
        assertThat(firstError(send("DELETE", "/api/v1/exchanges/events?ifUnused=yes", BodyPublishers.noBody()))
                        .field())
                .isEqualTo("ifUnused");
    }

    @Test
    void deleteOfReservedExchangeIsRefused() throws Exception {
        assertThat(firstError(send("DELETE", "/api/v1/exchanges/amq.direct", BodyPublishers.noBody()))
                        .field())
                .isEqualTo("name");
    }

    @Test
    void invalidExchangeDeclarationIsRefused() throws Exception {
        Problem p = problem(post("/api/v1/exchanges", "{\"name\":\"events\",\"type\":\"Topic\"}"), 400);

        assertThat(p.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("type");
            assertThat(e.message()).contains("topic").contains("'Topic'");
        });
    }

    @Test
    void theGatewaysOwnHeaderIsReserved() throws Exception {
        ProblemError error = firstError(post(
                "/api/v1/publish",
                "{\"routingKey\":\"q\",\"message\":1,\"options\":{\"headers\":{\"qs-publish-seq\":7}}}"));

        assertThat(error.field()).isEqualTo("options.headers.qs-publish-seq");
    }

    @Test
    void listingQueuesWithoutTheManagementApiIsNotImplemented() throws Exception {
        HttpResponse<String> r = get("/api/v1/queues");

        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(JSON.readValue(r.body(), Problem.class).type())
                .isEqualTo("urn:queue-service:problem:not-configured");
        assertThat(r.body()).contains("RABBITMQ_MANAGEMENT_URL");
    }

    @Test
    void bindingToTheDefaultExchangeIsRefused() throws Exception {
        ProblemError error = firstError(
                post("/api/v1/bindings", "{\"queue\":\"orders\",\"exchange\":\"\",\"routingKey\":\"orders\"}"));

        assertThat(error.field()).isEqualTo("exchange");
    }

    @Test
    void bindingArgumentsOutOfRangeAreRefusedWithTheirPath() throws Exception {
        ProblemError error = firstError(
                post("/api/v1/bindings", "{\"queue\":\"q\",\"exchange\":\"h\",\"arguments\":{\"n\":1e400}}"));

        assertThat(error.field()).isEqualTo("arguments.n");
    }

    @Test
    void publishValidationProblemsAreAllListed() throws Exception {
        Problem p = problem(
                post("/api/v1/publish", "{\"exchange\":\"" + "e".repeat(256) + "\",\"options\":{\"priority\":300}}"),
                400);

        assertThat(p.errors())
                .extracting(ProblemError::field)
                .containsExactlyInAnyOrder("exchange", "message", "options.priority");
        assertThat(p.detail()).contains("options.priority");
    }

    // --- lifecycle

    /**
     * Every real client (load balancer, HTTP client pool) keeps connections alive between requests. QueueService.stop()
     * calls http.stop() first and only then drains the publisher and closes the broker connections, without a finally.
     */
    @Test
    void stopWithAnIdleKeepAliveConnectionIsPromptAndClean() throws Exception {
        OfflineApi other = OfflineApi.start(Map.of("SHUTDOWN_TIMEOUT", "1000"));
        try (HttpClient keepAlive = HttpClient.newHttpClient()) {
            HttpResponse<String> live = keepAlive.send(
                    HttpRequest.newBuilder(URI.create(other.base() + "/healthz"))
                            .build(),
                    BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);

            long started = System.nanoTime();
            Throwable failure = catchThrowable(other::close);
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(failure).as("stop() with an idle client connection").isNull();
            assertThat(elapsedMs).isLessThan(1000);
        }
    }

    // --- health

    @Test
    void livenessIsOkAndSaysTheBrokerIsDisconnected() throws Exception {
        HttpResponse<String> response = get("/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("ok");
        assertThat(body.path("rabbitmq").asText()).isEqualTo("disconnected");
        assertThat(body.path("version").asText()).isEqualTo(OfflineApi.VERSION);
        assertThat(body.path("timestamp").asText()).isNotBlank();
    }

    @Test
    void readinessIs503WithAReason() throws Exception {
        HttpResponse<String> response = get("/healthz/ready");

        assertThat(response.statusCode()).isEqualTo(503);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).isEqualTo("not ready");
        assertThat(body.path("reason").asText()).contains("not connected");
    }
}
