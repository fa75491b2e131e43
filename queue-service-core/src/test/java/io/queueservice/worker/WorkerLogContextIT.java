package io.queueservice.worker;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.testing.SharedBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The log context of a message being handled, against the shared broker: queue, message id and, for a
 * valid W3C traceparent header, the traceparent and its trace id; in the handler's lines and in the
 * worker's own lines while it settles the message; never carried over to the next message.
 */
class WorkerLogContextIT {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-b7ad6b7169203331-01";
    private static final RetryConfig RETRY = new RetryConfig(1, Duration.ofMillis(200), Duration.ofMillis(200));

    private final Logger workerLog = (Logger) LoggerFactory.getLogger(Worker.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Connection probe;
    private QueueClient client;
    private String queue;

    @BeforeEach
    void connect() {
        lines.start();
        workerLog.addAppender(lines);
        probe = SharedBroker.connect();
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        client = new QueueClient(
                "worker-log-context-it",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                WorkerOptions.defaults(),
                PublishMetrics.NO_OP,
                WorkerMetrics.NO_OP);
        queue = uniqueName("log-context");
    }

    @AfterEach
    void cleanUp() throws Exception {
        workerLog.detachAppender(lines);
        client.close();
        try (Channel ch = probe.createChannel()) {
            ch.queueDelete(queue);
            ch.queueDelete(RetrySchedule.deadLetterQueue(queue));
            for (Duration step : new RetrySchedule(queue, RETRY).steps()) {
                ch.queueDelete(RetrySchedule.retryQueue(queue, step));
            }
        }
        probe.close();
    }

    private void publish(String body, String messageId, String traceparent) {
        Map<String, Object> headers = new HashMap<>();
        if (traceparent != null) {
            headers.put("traceparent", traceparent);
        }
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .messageId(messageId)
                .headers(headers.isEmpty() ? null : headers)
                .build();
        client.publish(new OutgoingMessage("", queue, body.getBytes(StandardCharsets.UTF_8), props, true))
                .join();
    }

    @Test
    void theMessageIsInTheLogContextWhileHandledAndSettledOnly() {
        Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
        client.consume(
                queue,
                m -> {
                    Map<String, String> mdc = MDC.getCopyOfContextMap();
                    seen.put(m.bodyAsString(), mdc == null ? Map.of() : mdc);
                    return m.bodyAsString().equals("traced") ? Outcome.deadLetter("test") : Outcome.ack();
                },
                WorkerOptions.defaults().withRetry(RETRY).withConcurrency(1, 1));

        publish("traced", "m-1", TRACEPARENT);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.containsKey("traced"));
        publish("untraced", "m-2", null);
        publish("invalid", "m-3", "00-" + TRACE_ID + "-0000000000000000-01");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);

        assertThat(seen.get("traced"))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("queue", queue, "messageId", "m-1", "traceparent", TRACEPARENT, "traceId", TRACE_ID));
        assertThat(seen.get("untraced")).containsExactlyInAnyOrderEntriesOf(Map.of("queue", queue, "messageId", "m-2"));
        assertThat(seen.get("invalid")).containsExactlyInAnyOrderEntriesOf(Map.of("queue", queue, "messageId", "m-3"));

        // The worker's own line while settling (dead-lettering) the traced message carries its context.
        List<ILoggingEvent> deadLettered;
        synchronized (lines) {
            deadLettered = lines.list.stream()
                    .filter(e -> e.getFormattedMessage().startsWith("dead-lettered"))
                    .toList();
        }
        assertThat(deadLettered)
                .singleElement()
                .satisfies(e -> assertThat(e.getMDCPropertyMap())
                        .containsEntry("traceId", TRACE_ID)
                        .containsEntry("messageId", "m-1")
                        .containsEntry("queue", queue));
    }
}
