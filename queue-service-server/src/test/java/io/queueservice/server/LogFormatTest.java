package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queueservice.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** LOG_FORMAT: read and validated; json writes one parseable JSON object per line, with the log context. */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final List<Logger> capturing = new ArrayList<>();
    private OutputStreamAppender<ILoggingEvent> appender;

    @AfterEach
    void restore() {
        capturing.forEach(l -> l.detachAppender(appender));
        if (appender != null) {
            appender.stop();
        }
        Main.applyLogLevel("info");
        MDC.clear();
    }

    /** Writes what these loggers log, with this encoder, to {@link #written}. */
    private void capture(Encoder<ILoggingEvent> encoder, String... loggers) {
        appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("test-capture");
        appender.setEncoder(encoder);
        appender.setOutputStream(written);
        appender.start();
        for (String name : loggers) {
            Logger l = context.getLogger(name);
            l.addAppender(appender);
            capturing.add(l);
        }
    }

    /**
     * A logger context configured by the service's own logback.xml (the tests' classpath has a
     * logback-test.xml that takes its place in the default context), with these context properties.
     */
    private static LoggerContext configuredByLogbackXml(Map<String, String> properties) throws Exception {
        URL xml = LogFormat.class.getResource("/logback.xml");
        assertThat(xml).isNotNull();
        assertThat(xml.getPath()).endsWith("/classes/logback.xml");
        LoggerContext c = new LoggerContext();
        properties.forEach(c::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(c);
        configurator.doConfigure(xml);
        return c;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext c) {
        return (ConsoleAppender<ILoggingEvent>)
                c.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    }

    private List<String> lines() {
        String text = written.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    /** Every line written, each parsed as one JSON object. */
    private List<JsonNode> jsonLines() throws Exception {
        List<JsonNode> objects = new ArrayList<>();
        for (String line : lines()) {
            JsonNode node = JSON.readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            objects.add(node);
        }
        return objects;
    }

    // --- the setting

    @Test
    void textIsTheDefaultAndJsonCanBeChosen() {
        assertThat(ServerConfig.from(Map.of("AUTH_MODE", "none")).logFormat()).isEqualTo("text");
        assertThat(ServerConfig.from(Map.of("AUTH_MODE", "none", "LOG_FORMAT", "json"))
                        .logFormat())
                .isEqualTo("json");
        assertThat(ServerConfig.from(Map.of("AUTH_MODE", "none", "LOG_FORMAT", " JSON "))
                        .logFormat())
                .isEqualTo("json");
    }

    @Test
    void anUnknownFormatIsReportedWithTheOtherProblems() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> ServerConfig.from(Map.of("AUTH_MODE", "none", "LOG_FORMAT", "xml", "PORT", "-1")));

        assertThat(e.problems())
                .hasSize(2)
                .anySatisfy(p ->
                        assertThat(p).startsWith("LOG_FORMAT").contains("'xml'").contains("json", "text"));
    }

    // --- json

    @Test
    void jsonLinesOfAnHttpRequestCarryItsRequestId() throws Exception {
        Main.applyLogLevel("debug");
        capture(LogFormat.json(context), "io.queueservice.server.requests");
        // A request id JSON must escape; no broker on this port: the service answers from its health endpoints.
        String requestId = "id \"quoted\" \\ back/slash";
        QueueService service = QueueService.start(ServerConfig.from(Map.of(
                "AUTH_MODE", "none",
                "PORT", "0",
                "HOST", "127.0.0.1",
                "RABBITMQ_URL", "amqp://app:s3cr3t-pw@127.0.0.1:1",
                "RABBITMQ_CONNECTION_TIMEOUT", "200")));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/healthz"))
                            .header("X-Request-Id", requestId)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Request-Id")).contains(requestId);
        } finally {
            service.stop();
        }

        assertThat(written.toString(StandardCharsets.UTF_8)).doesNotContain("s3cr3t-pw");
        List<JsonNode> lines = jsonLines();
        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("DEBUG");
            assertThat(line.path("loggerName").asText()).isEqualTo("io.queueservice.server.requests");
            assertThat(line.path("threadName").asText()).isNotBlank();
            assertThat(line.path("timestamp").asLong()).isPositive();
            assertThat(line.path("formattedMessage").asText()).startsWith("GET /healthz 200 ");
            assertThat(line.path("mdc").path("requestId").asText()).isEqualTo(requestId);
        });
    }

    @Test
    void jsonEscapesMessagesContextAndExceptions() throws Exception {
        capture(LogFormat.json(context), "test.log-format");
        org.slf4j.Logger log = LoggerFactory.getLogger("test.log-format");
        String message = "line one\nline \"two\"\t\\ é 😀 \u0001 </script>";
        MDC.put("requestId", "r\"1\n");
        MDC.put("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
        log.warn("said: {}", message, new IllegalStateException("bad \"state\"\nsecond line"));
        MDC.clear();
        log.info("no context");

        List<JsonNode> lines = jsonLines();
        assertThat(lines).hasSize(2);
        JsonNode first = lines.get(0);
        assertThat(first.path("level").asText()).isEqualTo("WARN");
        assertThat(first.path("formattedMessage").asText()).isEqualTo("said: " + message);
        assertThat(first.path("mdc").path("requestId").asText()).isEqualTo("r\"1\n");
        assertThat(first.path("mdc").path("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(first.path("throwable").path("className").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(first.path("throwable").path("message").asText()).isEqualTo("bad \"state\"\nsecond line");
        assertThat(first.has("arguments")).as("arguments are not repeated").isFalse();
        assertThat(lines.get(1).path("formattedMessage").asText()).isEqualTo("no context");
        assertThat(lines.get(1).path("mdc").isMissingNode()
                        || lines.get(1).path("mdc").isEmpty())
                .isTrue();
    }

    // --- text

    @Test
    void textLinesEndWithTheLogContextWhenThereIsOne() throws Exception {
        LoggerContext configured = configuredByLogbackXml(Map.of());
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern(((PatternLayoutEncoder) console(configured).getEncoder()).getPattern());
        text.start();
        configured.stop();
        capture(text, "test.log-format");
        org.slf4j.Logger log = LoggerFactory.getLogger("test.log-format");
        log.info("without");
        MDC.put("requestId", "abc");
        log.info("with");

        List<String> lines = lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+ INFO  \\[.+] test.log-format - without");
        assertThat(lines.get(1)).endsWith(" - with [requestId=abc]");
    }

    // --- applied at startup

    @Test
    void applySwapsTheConsoleEncoderAndKeepsItsTarget() throws Exception {
        LoggerContext configured = configuredByLogbackXml(Map.of("LOG_TARGET", "System.err")); // consume mode
        try {
            ConsoleAppender<ILoggingEvent> console = console(configured);
            Encoder<ILoggingEvent> text = console.getEncoder();
            assertThat(text).isInstanceOf(PatternLayoutEncoder.class);

            LogFormat.apply("text", configured);
            assertThat(console.getEncoder()).isSameAs(text);

            LogFormat.apply("json", configured);
            assertThat(console.getEncoder()).isInstanceOf(JsonEncoder.class);
            assertThat(console.getTarget()).isEqualTo("System.err");
            assertThat(console.isStarted()).isTrue();

            LogFormat.apply("json", configured);
            LogFormat.apply("text", configured);
            assertThat(console.getEncoder()).isSameAs(text);
            assertThat(text.isStarted()).isTrue();
        } finally {
            configured.stop();
        }
    }
}
