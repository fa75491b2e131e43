package io.queueservice.server.email;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BreakerConfig;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.testing.SharedBroker;
import io.queueservice.worker.FailureHeaders;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The confirmation-email worker end to end: messages published to its exchange on the shared broker,
 * emails received by a real SMTP server (GreenMail on 127.0.0.1). Each test has an exchange and a queue of
 * its own, deleted afterwards, so it never meets a real email worker on the shared broker.
 */
class EmailWorkerIT {
    /** Short delays: steps of 200, 400, 800 and 1000 ms. */
    private static final RetryConfig RETRY = new RetryConfig(10, Duration.ofMillis(200), Duration.ofSeconds(1));

    private static final String URL = "https://example.com/confirm?token=abc123";

    private final RecordingMetrics metrics = new RecordingMetrics();
    private Connection probe;
    private QueueClient client;
    private String exchange;
    private String queue;
    private int smtpPort;
    private GreenMail smtp;
    private Worker worker;

    @BeforeEach
    void setUp() throws Exception {
        probe = SharedBroker.connect();
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        client = new QueueClient(
                "email-worker-it",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                WorkerOptions.defaults(),
                PublishMetrics.NO_OP,
                metrics);
        exchange = uniqueName("email");
        queue = uniqueName("email_confirmation");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            smtpPort = s.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        client.close(); // stops the worker too (Worker.close() must not be called twice)
        try (Channel ch = probe.createChannel()) {
            for (String q : queues()) {
                ch.queueDelete(q);
            }
            ch.exchangeDelete(exchange);
        }
        probe.close();
        if (smtp != null) {
            smtp.stop();
        }
    }

    /** The work queue, its retry queues and its dead-letter queue. */
    private List<String> queues() {
        List<String> all = new ArrayList<>(List.of(queue, queue + ".dlq"));
        Set<Long> steps = new LinkedHashSet<>();
        for (int n = 1; n <= RETRY.maxRetries(); n++) {
            steps.add(Math.min(
                    RETRY.initialDelay().toMillis() << (n - 1), RETRY.maxDelay().toMillis()));
        }
        steps.forEach(ms -> all.add(queue + ".retry." + ms));
        return all;
    }

    private void startSmtp() {
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    private Worker startWorker(WorkerOptions options) {
        ConfigReader env = new ConfigReader(Map.of(
                "SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(smtpPort),
                "SMTP_FROM", "Queue Service <no-reply@queue-service.test>",
                "SMTP_TIMEOUT", "2000"));
        SmtpConfig config = SmtpConfig.from(env);
        env.validate();
        worker = EmailWorker.start(client, config, options, exchange, queue);
        return worker;
    }

    private static WorkerOptions options() {
        return WorkerOptions.defaults().withRetry(RETRY);
    }

    /** Publishes as a producer would (the gateway's POST /api/v1/publish does the same). */
    private String publish(Object message) {
        return client.publish(exchange, EmailWorker.ROUTING_KEY, message).join();
    }

    private MimeMessage[] awaitEmails(int count) {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> smtp.getReceivedMessages().length >= count);
        return smtp.getReceivedMessages();
    }

    private long depth(String q) throws Exception {
        try (Channel ch = probe.createChannel()) {
            return ch.queueDeclarePassive(q).getMessageCount();
        }
    }

    private long total(List<String> qs) throws Exception {
        long n = 0;
        for (String q : qs) {
            n += depth(q);
        }
        return n;
    }

    private List<GetResponse> drain(String q) throws Exception {
        List<GetResponse> got = new ArrayList<>();
        try (Channel ch = probe.createChannel()) {
            for (GetResponse r = ch.basicGet(q, true); r != null; r = ch.basicGet(q, true)) {
                got.add(r);
            }
        }
        return got;
    }

    private static String header(MimeMessage m, String name) throws Exception {
        String[] values = m.getHeader(name);
        return values == null ? null : values[0];
    }

    @Test
    void aConfirmationMessageIsRenderedAndDelivered() throws Exception {
        startSmtp();
        startWorker(options());

        String id = publish(Map.of(
                "to", "ada@example.com",
                "template", "confirmation",
                "variables", Map.of("userName", "Ada Lovelace", "confirmationUrl", URL)));

        MimeMessage email = awaitEmails(1)[0];
        assertThat(email.getRecipients(RecipientType.TO)).containsExactly(new InternetAddress("ada@example.com"));
        assertThat(email.getFrom()).containsExactly(new InternetAddress("no-reply@queue-service.test"));
        assertThat(email.getSubject()).isEqualTo("Confirm your account");
        assertThat(email.getContent().toString())
                .contains("Hello Ada Lovelace,")
                .contains(URL);
        assertThat(header(email, EmailSender.MESSAGE_ID_HEADER)).isEqualTo(id);
        assertThat(header(email, "Message-ID")).isNotEqualTo(id);
        await().atMost(Duration.ofSeconds(5)).until(() -> total(queues()) == 0);
    }

    @Test
    void aPlainMessageIsDeliveredAsGiven() throws Exception {
        startSmtp();
        startWorker(options());

        String id = publish(Map.of(
                "to", "Bob Martin <bob@example.com>", "subject", "Grüße aus Köln", "body", "Zeile eins\nZeile zwei ✓"));

        MimeMessage email = awaitEmails(1)[0];
        assertThat(email.getRecipients(RecipientType.TO))
                .containsExactly(new InternetAddress("Bob Martin <bob@example.com>"));
        assertThat(email.getSubject()).isEqualTo("Grüße aus Köln");
        assertThat(email.getContent().toString().replace("\r\n", "\n")).isEqualTo("Zeile eins\nZeile zwei ✓");
        assertThat(email.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(header(email, EmailSender.MESSAGE_ID_HEADER)).isEqualTo(id);
    }

    @Test
    void invalidMessagesAreDeadLetteredAtOnceWithTheirReasonAndSendNothing() throws Exception {
        startSmtp();
        startWorker(options());

        String noRecipient = publish(Map.of("template", "confirmation", "variables", Map.of("userName", "Ada")));
        String unknownTemplate = publish(Map.of("to", "ada@example.com", "template", "welcome"));
        String notJson = "not-json-" + System.nanoTime();
        client.publish(new OutgoingMessage(
                        exchange,
                        EmailWorker.ROUTING_KEY,
                        "Hello, {not JSON".getBytes(StandardCharsets.UTF_8),
                        new AMQP.BasicProperties.Builder()
                                .messageId(notJson)
                                .contentType("text/plain")
                                .deliveryMode(2)
                                .build(),
                        true))
                .join();
        // Handled after the invalid ones: once it arrived, they were handled too.
        String valid = publish(Map.of("to", "ada@example.com", "subject", "Marker", "body", "after the invalid ones"));

        MimeMessage[] emails = awaitEmails(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> depth(queue + ".dlq") == 3);
        assertThat(emails).hasSize(1);
        assertThat(header(emails[0], EmailSender.MESSAGE_ID_HEADER)).isEqualTo(valid);

        Map<String, GetResponse> dead = drain(queue + ".dlq").stream()
                .collect(Collectors.toMap(r -> r.getProps().getMessageId(), Function.identity()));
        assertThat(dead).containsOnlyKeys(noRecipient, unknownTemplate, notJson);
        Map<String, String> reasons = new HashMap<>();
        dead.forEach((id, r) -> {
            Map<String, Object> h = r.getProps().getHeaders();
            assertThat(h.get(FailureHeaders.ATTEMPT)).as("attempt of %s", id).isEqualTo(1);
            reasons.put(id, h.get(FailureHeaders.REASON).toString());
        });
        assertThat(reasons.get(noRecipient)).contains("no recipient").contains("'to' is missing");
        assertThat(reasons.get(unknownTemplate)).contains("unknown template 'welcome'");
        assertThat(reasons.get(notJson)).contains("not JSON");
        assertThat(metrics.count("retried")).isZero();
        Thread.sleep(300); // nothing else turns up late
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(total(queues())).isZero();
    }

    @Test
    void whileSmtpIsDownMessagesWaitAndAreEachDeliveredOnceWhenItReturns() throws Exception {
        // No SMTP server on smtpPort yet: every send is refused at once.
        startWorker(options().withBreaker(new BreakerConfig(50, 4, 4, Duration.ofSeconds(1))));
        int n = 10;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(publish(Map.of("to", "user" + i + "@example.com", "subject", "Message " + i, "body", "Body " + i)));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> worker.circuitState() == CircuitBreaker.State.OPEN);
        // Let it probe a few times while SMTP stays down.
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.count("circuit:half_open") >= 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> worker.circuitState() == CircuitBreaker.State.OPEN);
        long failuresWhileDown = metrics.count("retried");
        assertThat(failuresWhileDown).as("failed sends were retried").isGreaterThanOrEqualTo(4);
        // Paused, not burning retries: about the 4 that opened the breaker and one probe per wait, far from
        // the 10 messages x 11 attempts that would be dead-lettered without a breaker.
        assertThat(failuresWhileDown).isLessThan(20);
        assertThat(metrics.count("dead_lettered")).isZero();
        assertThat(metrics.noneConsumedWhileOpen()).isTrue();
        assertThat(depth(queue + ".dlq")).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> total(queues()) == n); // nothing lost

        startSmtp();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> smtp.getReceivedMessages().length >= n);
        // Settled: no more emails turn up, and every queue is empty.
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> smtp.getReceivedMessages().length == n && total(queues()) == 0);
        Map<String, Long> perId = new HashMap<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            perId.merge(header(m, EmailSender.MESSAGE_ID_HEADER), 1L, Long::sum);
        }
        assertThat(perId)
                .containsOnlyKeys(ids)
                .allSatisfy(
                        (id, count) -> assertThat(count).as("emails for %s", id).isEqualTo(1));
        assertThat(worker.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(metrics.count("dead_lettered")).isZero();
    }

    /** The worker's metrics as a list of events, in order. */
    private static final class RecordingMetrics implements WorkerMetrics {
        private final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void consumed(String queue, String outcome, Duration processing) {
            events.add("consumed:" + outcome);
        }

        @Override
        public void consumeFailed(String queue, String reason) {
            events.add("failed:" + reason);
        }

        @Override
        public void retried(String queue) {
            events.add("retried");
        }

        @Override
        public void deadLettered(String queue) {
            events.add("dead_lettered");
        }

        @Override
        public void circuitState(String queue, String state) {
            events.add("circuit:" + state);
        }

        long count(String event) {
            return events.stream().filter(event::equals).count();
        }

        /** No message was handled between the breaker opening and its next probe. */
        boolean noneConsumedWhileOpen() {
            boolean open = false;
            for (String e : events) {
                if (e.startsWith("circuit:")) {
                    open = e.equals("circuit:open");
                } else if (open && e.startsWith("consumed:")) {
                    return false;
                }
            }
            return true;
        }
    }
}
