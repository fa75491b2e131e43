package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** LOG_LEVEL=debug: one line per request, with method, path and status, and never a password. */
class RequestLogTest {
    private final Logger requests = (Logger) LoggerFactory.getLogger("io.queueservice.server.requests");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @AfterEach
    void restoreLevels() {
        Main.applyLogLevel("info");
        requests.detachAppender(lines);
    }

    @Test
    void debugLevelLogsOneLinePerRequestWithoutSecrets() throws Exception {
        Main.applyLogLevel("debug");
        lines.start();
        requests.addAppender(lines);
        // No broker on this port: the service starts anyway and answers from its health endpoints.
        ServerConfig config = ServerConfig.from(Map.of(
                "AUTH_MODE",
                "none",
                "PORT",
                "0",
                "HOST",
                "127.0.0.1",
                "RABBITMQ_URL",
                "amqp://app:s3cr3t-pw@127.0.0.1:1",
                "RABBITMQ_CONNECTION_TIMEOUT",
                "200"));
        QueueService service = QueueService.start(config);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/healthz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } finally {
            service.stop();
        }

        assertThat(requests.getEffectiveLevel()).isEqualTo(Level.DEBUG);
        assertThat(lines.list).hasSize(1);
        assertThat(lines.list.get(0).getFormattedMessage())
                .startsWith("GET /healthz 200 ")
                .doesNotContain("s3cr3t-pw");
    }
}
