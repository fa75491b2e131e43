package io.queueservice.server.email;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.server.BrokerProbe;
import io.queueservice.server.RunningService;
import io.queueservice.testing.SharedBroker;
import io.queueservice.worker.RetrySchedule;
import io.queueservice.worker.WorkerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One sign-up followed end to end by its W3C trace context, on the shared broker: {@code POST
 * /api/v1/publish} with a {@code traceparent} (the gateway logs it with the request id and the trace id),
 * the message in RabbitMQ with that {@code traceparent} header, and the email worker sending the email with
 * the same trace id in its log context. The exchange and queues are the test's own, deleted afterwards.
 */
class TraceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
    private static final String TRACESTATE = "congo=t61rcWkgMzE";
    /** One retry step (200 ms), so one retry queue to clean up. */
    private static final RetryConfig RETRY = new RetryConfig(1, Duration.ofMillis(200), Duration.ofMillis(200));

    /** The logger of the (package-private) publish handler. */
    private static final String PUBLISH_HANDLER = "io.queueservice.server.api.PublishHandler";
    /** The loggers whose lines are followed, at debug while the test runs. */
    private static final List<String> LOGGERS =
            List.of("io.queueservice.server.requests", PUBLISH_HANDLER, EmailWorker.class.getName());

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Map<Logger, Level> levels = new HashMap<>();

    private BrokerProbe broker;
    private FakeSmtpServer smtp;
    private QueueClient client;
    private RunningService service;
    private HttpClient http;
    private String exchange;
    private String queue;
    private String copies;

    @BeforeEach
    void setUp() throws Exception {
        lines.start();
        for (String name : LOGGERS) {
            Logger l = (Logger) LoggerFactory.getLogger(name);
            levels.put(l, l.getLevel());
            l.setLevel(Level.DEBUG); // before the service starts: the request log reads its level once
            l.addAppender(lines);
        }
        broker = new BrokerProbe(SharedBroker.url());
        exchange = broker.exchange(uniqueName("trace-email"));
        queue = broker.queue(uniqueName("trace_email_confirmation"));
        RetrySchedule schedule = new RetrySchedule(queue, RETRY);
        broker.queue(schedule.deadLetterQueue());
        schedule.retryQueues().forEach(broker::queue);
        copies = broker.queue(uniqueName("trace-copies"));

        smtp = FakeSmtpServer.accepting();
        ConfigReader env = new ConfigReader(Map.of(
                "RABBITMQ_URL", SharedBroker.url(),
                "SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(smtp.port()),
                "SMTP_FROM", "Queue Service <no-reply@queue-service.test>",
                "SMTP_TIMEOUT", "2000"));
        EmailConfig email = EmailConfig.from(env);
        env.validate();
        client = new QueueClient(
                "trace-it",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                WorkerOptions.defaults(),
                PublishMetrics.NO_OP,
                WorkerMetrics.NO_OP);
        EmailWorker.start(client, email, WorkerOptions.defaults().withRetry(RETRY), exchange, queue);
        // A second queue on the same binding keeps a copy of the message as it reached the broker.
        try (Channel ch = broker.channel()) {
            ch.queueDeclare(copies, false, false, false, null);
            ch.queueBind(copies, exchange, EmailWorker.ROUTING_KEY);
        }

        service = RunningService.start(SharedBroker.url(), Map.of());
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (http != null) {
            http.close();
        }
        if (service != null) {
            service.close();
        }
        if (client != null) {
            client.close();
        }
        if (smtp != null) {
            smtp.close();
        }
        if (broker != null) {
            broker.close();
        }
        levels.forEach((l, level) -> {
            l.detachAppender(lines);
            l.setLevel(level);
        });
    }

    private HttpResponse<String> publish(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(publishUri())
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(r::header);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Where the service listens: its own client knows the port, a cheap call tells. */
    private URI publishUri() {
        return service.api().get("/healthz").raw().uri().resolve("/api/v1/publish");
    }

    private List<ILoggingEvent> linesOf(String logger) {
        synchronized (lines) {
            return new ArrayList<>(lines.list.stream()
                    .filter(e -> e.getLoggerName().equals(logger))
                    .toList());
        }
    }

    /** The email worker's lines about sent emails. */
    private List<ILoggingEvent> sentLines() {
        return linesOf(EmailWorker.class.getName()).stream()
                .filter(e -> e.getFormattedMessage().startsWith("sent the email"))
                .toList();
    }

    @Test
    void aSignUpIsFollowedFromTheHttpCallToTheSentEmail() throws Exception {
        String requestId = "signup-" + UUID.randomUUID();
        String body = JSON.writeValueAsString(Map.of(
                "exchange",
                exchange,
                "routingKey",
                EmailWorker.ROUTING_KEY,
                "message",
                Map.of(
                        "to", "ada@example.com",
                        "template", "confirmation",
                        "variables",
                                Map.of("userName", "Ada", "confirmationUrl", "https://example.com/confirm?token=t"))));

        HttpResponse<String> response =
                publish(body, Map.of("traceparent", TRACEPARENT, "tracestate", TRACESTATE, "X-Request-Id", requestId));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(response.headers().firstValue("X-Request-Id")).contains(requestId);
        JsonNode answer = JSON.readTree(response.body());
        String messageId = answer.path("messageId").asText();

        // In the broker: the message carries the trace context.
        GetResponse copy = broker.await(copies);
        assertThat(copy.getProps().getMessageId()).isEqualTo(messageId);
        assertThat(String.valueOf(copy.getProps().getHeaders().get("traceparent")))
                .isEqualTo(TRACEPARENT);
        assertThat(String.valueOf(copy.getProps().getHeaders().get("tracestate")))
                .isEqualTo(TRACESTATE);

        // The email is sent, and the worker's line about it carries the same trace.
        await().atMost(Duration.ofSeconds(15)).until(() -> smtp.received.size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !sentLines().isEmpty());
        assertThat(sentLines()).singleElement().satisfies(line -> {
            assertThat(line.getFormattedMessage()).startsWith("sent the email of message " + messageId);
            assertThat(line.getMDCPropertyMap())
                    .containsEntry("traceId", TRACE_ID)
                    .containsEntry("traceparent", TRACEPARENT)
                    .containsEntry("messageId", messageId)
                    .containsEntry("queue", queue)
                    .doesNotContainKey("requestId");
        });

        // The gateway's lines about the publish carry the request id and the same trace id.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> linesOf("io.queueservice.server.requests").stream()
                        .anyMatch(l -> requestId.equals(l.getMDCPropertyMap().get("requestId"))));
        assertThat(linesOf(PUBLISH_HANDLER)).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
            assertThat(line.getFormattedMessage())
                    .contains(messageId)
                    .contains("'" + exchange + "'")
                    .contains("'" + EmailWorker.ROUTING_KEY + "'");
            assertThat(line.getMDCPropertyMap())
                    .containsEntry("requestId", requestId)
                    .containsEntry("traceId", TRACE_ID);
        });
        assertThat(linesOf("io.queueservice.server.requests"))
                .filteredOn(l -> requestId.equals(l.getMDCPropertyMap().get("requestId")))
                .singleElement()
                .satisfies(line -> {
                    assertThat(line.getFormattedMessage()).startsWith("POST /api/v1/publish 202");
                    assertThat(line.getMDCPropertyMap()).containsEntry("traceId", TRACE_ID);
                });
    }

    @Test
    void anInvalidTraceparentIsIgnoredAndTheMessageStillSent() throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "exchange",
                exchange,
                "routingKey",
                EmailWorker.ROUTING_KEY,
                "message",
                Map.of("to", "ada@example.com", "subject", "Hi", "body", "Plain.")));

        HttpResponse<String> response = publish(
                body, Map.of("traceparent", "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01", "tracestate", TRACESTATE));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        GetResponse copy = broker.await(copies);
        Map<String, Object> headers = copy.getProps().getHeaders();
        assertThat(headers == null ? Map.of() : headers).doesNotContainKeys("traceparent", "tracestate");
        await().atMost(Duration.ofSeconds(15)).until(() -> smtp.received.size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> !sentLines().isEmpty());
        assertThat(sentLines())
                .singleElement()
                .satisfies(line -> assertThat(line.getMDCPropertyMap())
                        .containsEntry("queue", queue)
                        .doesNotContainKeys("traceId", "traceparent"));
    }
}
