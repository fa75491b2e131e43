package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.testing.SharedBrokerTypes;
import io.queueservice.worker.FailureHeaders;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The email worker with {@code DEFAULT_QUEUE_TYPE=quorum}, as the Kubernetes files run it: its work,
 * retry and dead-letter queues are quorum queues, and retries (message TTL and dead-lettering back to the
 * work queue, RabbitMQ 3.10+) and dead-lettering work on them. Shared broker, names of its own ({@link
 * EmailWorkerFixture}).
 */
class EmailWorkerQuorumIT {
    private final AtomicInteger retried = new AtomicInteger();
    private final WorkerMetrics metrics = new WorkerMetrics() {
        @Override
        public void consumed(String queue, String outcome, Duration processing) {}

        @Override
        public void consumeFailed(String queue, String reason) {}

        @Override
        public void retried(String queue) {
            retried.incrementAndGet();
        }

        @Override
        public void deadLettered(String queue) {}

        @Override
        public void circuitState(String queue, String state) {}
    };

    private EmailWorkerFixture fixture;
    private String queue;

    @AfterEach
    void tearDown() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** A client and options read from the environment a deployment would set; the breaker never opens here. */
    private void connect(int maxRetries) throws Exception {
        fixture = new EmailWorkerFixture(
                "email-quorum-it",
                Map.of(
                        "DEFAULT_QUEUE_TYPE", "quorum",
                        "MAX_RETRIES", Integer.toString(maxRetries),
                        "INITIAL_RETRY_DELAY", "200",
                        "MAX_RETRY_DELAY", "800",
                        "CIRCUIT_BREAKER_MIN_CALLS", "1000",
                        "CIRCUIT_BREAKER_WINDOW", "1000"),
                metrics);
        queue = fixture.queue;
        assertThat(fixture.options.queueType()).isEqualTo(QueueType.QUORUM);
    }

    private void startWorker() {
        fixture.startWorker();
    }

    private String publish(Object message) {
        return fixture.publish(message);
    }

    private long depth(String q) {
        return fixture.depth(q);
    }

    private long total() {
        return fixture.total();
    }

    /** The work queue, its retry queues (steps of 200, 400 and 800 ms) and its dead-letter queue. */
    private List<String> queues() {
        return fixture.queues();
    }

    private void assertAllQuorum() {
        Map<String, String> types = SharedBrokerTypes.of(queues());
        assertThat(types).containsOnlyKeys(queues());
        assertThat(types).allSatisfy((q, type) -> assertThat(type).as(q).isEqualTo("quorum"));
    }

    @Test
    void aMessageRetriedThroughQuorumRetryQueuesIsDeliveredOnceSmtpIsBack() throws Exception {
        connect(10);
        startWorker(); // SMTP down: every send fails at once
        assertAllQuorum();

        String id = publish(Map.of("to", "ada@example.com", "subject", "Hello", "body", "through quorum queues"));
        // Twice through a retry queue (200 and 400 ms steps) and back to the work queue.
        await().atMost(Duration.ofSeconds(15)).until(() -> retried.get() >= 2);
        GreenMail smtp = fixture.startSmtp();

        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length >= 1);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10)).until(() -> total() == 0);
        MimeMessage[] emails = smtp.getReceivedMessages();
        assertThat(emails).hasSize(1);
        assertThat(emails[0].getHeader(EmailSender.MESSAGE_ID_HEADER)).containsExactly(id);
        assertThat(depth(fixture.deadLetterQueue())).isZero();
    }

    @Test
    void invalidAndExhaustedMessagesAreDeadLetteredOnTheQuorumDeadLetterQueue() throws Exception {
        connect(2);
        startWorker(); // SMTP down
        assertAllQuorum();

        String failing = publish(Map.of("to", "ada@example.com", "subject", "Hello", "body", "never sent"));
        String invalid = publish(Map.of("subject", "no recipient", "body", "x"));

        await().atMost(Duration.ofSeconds(15)).until(() -> depth(fixture.deadLetterQueue()) == 2);
        List<GetResponse> dead = fixture.takeDeadLetters();
        Map<String, Map<String, Object>> headers = dead.stream()
                .collect(Collectors.toMap(
                        r -> r.getProps().getMessageId(), r -> r.getProps().getHeaders(), (a, b) -> a));
        assertThat(headers).containsOnlyKeys(failing, invalid);
        assertThat(headers.get(failing).get(FailureHeaders.ATTEMPT)).isEqualTo(3);
        assertThat(headers.get(failing).get(FailureHeaders.REASON).toString()).contains("retries exhausted");
        assertThat(headers.get(invalid).get(FailureHeaders.ATTEMPT)).isEqualTo(1);
        assertThat(retried.get()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> total() == 0);
    }

    @Test
    void anExistingClassicQueueStopsTheWorkerWithAMessageThatSaysWhatToDo() throws Exception {
        connect(2);
        try (Channel ch = fixture.broker.channel()) {
            ch.queueDeclare(queue, true, false, false, null); // as an older version declared it
        }

        ResourceConflictException e = catchThrowableOfType(ResourceConflictException.class, this::startWorker);

        assertThat(e).as("the worker must not start on a queue of another type").isNotNull();
        assertThat(e.argument()).contains("x-queue-type");
        assertThat(e.getMessage())
                .contains("queue '" + queue + "' exists with another type than quorum")
                .contains("DEFAULT_QUEUE_TYPE=quorum")
                .contains("move its messages elsewhere and delete it");
        assertThat(SharedBrokerTypes.of(queue)).isEqualTo("classic");
        assertThat(SharedBrokerTypes.of(queues())).containsOnlyKeys(queue); // nothing else declared
    }
}
