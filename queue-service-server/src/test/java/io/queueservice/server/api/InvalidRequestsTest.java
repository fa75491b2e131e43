package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the HTTP server refuses before any route runs gets a problem+json answer, whatever the method, and never a
 * 5xx. Regressions found by the hostile-input fuzzer (HostileInputIT): a refused DELETE, PUT or PATCH got
 * an empty 400 without a content type, and a request line with HTTP/2.0 or HTTP/9.9 got 505.
 */
class InvalidRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApiServer app;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.from(Map.of("AUTH_MODE", "none", "RABBITMQ_URL", "amqp://127.0.0.1:1"));
        app = HttpApi.create(
                config,
                Optional.empty(),
                new Health(List.of(), "test"),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        app.start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.stop();
        }
    }

    /** Sends the bytes, closes the output, and returns all the server answered. */
    private static String raw(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", app.port()), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            try (InputStream in = s.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static void assertProblem(String response, int status, String type) throws IOException {
        assertThat(response).startsWith("HTTP/1.1 " + status + " ");
        String head = response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase();
        assertThat(head).contains("content-type: application/problem+json");
        JsonNode problem = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("type").asText()).isEqualTo("urn:queue-service:problem:" + type);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DELETE", "PUT", "PATCH", "OPTIONS", "GET"})
    void aMalformedHeaderIsAProblemWhateverTheMethod(String method) throws IOException {
        String response = raw(method + " /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHere\r\n\r\n");

        assertProblem(response, 400, "http");
    }

    @Test
    void aRequestWithoutHostIsAProblemWithARequestId() throws IOException {
        String response = raw("GET /healthz HTTP/1.1\r\n\r\n");

        assertProblem(response, 400, "http");
        assertThat(response.toLowerCase()).contains("x-request-id: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"DELETE", "POST"})
    void headersTooLargeAreAProblemWhateverTheMethod(String method) throws IOException {
        String response = raw(method + " /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + "b".repeat(ApiServer.REQUEST_HEADER_BYTES + 100) + "\r\n\r\n");

        assertProblem(response, 431, "headers-too-large");
    }

    /** HTTP/2.0 in an HTTP/1 request line gets 426 (upgrade required); any other version, 400. */
    @ParameterizedTest
    @CsvSource({"HTTP/2.0, 426, http", "HTTP/9.9, 400, http-version", "HTTP/3.0, 400, http-version"})
    void anUnsupportedHttpVersionIsTheClientsMistakeNotA5xx(String version, int status, String type)
            throws IOException {
        String response = raw("GET /healthz " + version + "\r\nHost: 127.0.0.1\r\n\r\n");

        assertProblem(response, status, type);
    }
}
