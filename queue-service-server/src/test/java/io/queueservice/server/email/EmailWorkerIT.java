package io.queueservice.server.email;

import static io.queueservice.server.email.EmailWorkerFixture.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.queueservice.config.BreakerConfig;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.worker.FailureHeaders;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import jakarta.mail.BodyPart;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The confirmation-email worker end to end: messages published to its exchange on the shared broker,
 * emails received by a real SMTP server (GreenMail on 127.0.0.1). Each test has an exchange and a queue of
 * its own ({@link EmailWorkerFixture}), deleted afterwards, so it never meets a real email worker on the
 * shared broker.
 */
class EmailWorkerIT {
    /** Short delays: steps of 200, 400, 800 and 1000 ms. */
    private static final RetryConfig RETRY = new RetryConfig(10, Duration.ofMillis(200), Duration.ofSeconds(1));

    private static final String URL = "https://example.com/confirm?token=abc123";

    private final RecordingMetrics metrics = new RecordingMetrics();
    private EmailWorkerFixture fixture;

    @TempDir
    Path templates;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new EmailWorkerFixture("email-worker-it", Map.of(), metrics);
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static WorkerOptions options() {
        return WorkerOptions.defaults().withRetry(RETRY);
    }

    private String publish(Object message) {
        return fixture.publish(message);
    }

    private MimeMessage[] awaitEmails(int count) {
        return fixture.awaitEmails(count);
    }

    private long depth(String q) {
        return fixture.depth(q);
    }

    private long total() {
        return fixture.total();
    }

    /** The text of each part of a multipart/alternative email, by content type (without parameters). */
    private static Map<String, String> parts(MimeMessage email) throws Exception {
        assertThat(email.getContentType()).startsWith("multipart/alternative");
        MimeMultipart multipart = (MimeMultipart) email.getContent();
        Map<String, String> parts = new LinkedHashMap<>();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            assertThat(part.getContentType()).containsIgnoringCase("charset=UTF-8");
            parts.put(
                    part.getContentType().replaceAll(";.*", "").strip(),
                    part.getContent().toString());
        }
        return parts;
    }

    @Test
    void aConfirmationMessageIsRenderedAndDelivered() throws Exception {
        fixture.startSmtp();
        fixture.startWorker(options());

        String id = publish(Map.of(
                "to", "ada@example.com",
                "template", "confirmation",
                "variables", Map.of("userName", "Ada Lovelace", "confirmationUrl", URL)));

        MimeMessage email = awaitEmails(1)[0];
        assertThat(email.getRecipients(RecipientType.TO)).containsExactly(new InternetAddress("ada@example.com"));
        assertThat(email.getFrom()).containsExactly(new InternetAddress("no-reply@queue-service.test"));
        assertThat(email.getSubject()).isEqualTo("Confirm your account");
        Map<String, String> parts = parts(email);
        assertThat(parts).containsOnlyKeys("text/plain", "text/html");
        assertThat(parts.get("text/plain")).contains("Hello Ada Lovelace,").contains(URL);
        assertThat(parts.get("text/html")).contains("Hello Ada Lovelace,").contains("href=\"" + URL + "\"");
        assertThat(header(email, EmailSender.MESSAGE_ID_HEADER)).isEqualTo(id);
        assertThat(header(email, "Message-ID")).isNotEqualTo(id);
        await().atMost(Duration.ofSeconds(5)).until(() -> total() == 0);
    }

    @Test
    void aFrenchSignUpArrivesInFrenchAsTextAndHtml() throws Exception {
        fixture.startSmtp();
        fixture.startWorker(options());

        publish(Map.of(
                "to", "zoe@example.com",
                "template", "confirmation",
                "locale", "fr-CA",
                "variables", Map.of("userName", "Zoé <Müller>", "confirmationUrl", URL)));

        MimeMessage email = awaitEmails(1)[0];
        assertThat(email.getSubject()).isEqualTo("Confirmation d'inscription");
        assertThat(email.getContentLanguage()).containsExactly("fr");
        Map<String, String> parts = parts(email);
        assertThat(parts.keySet()).containsExactly("text/plain", "text/html");
        assertThat(parts.get("text/plain"))
                .startsWith("Bonjour Zoé <Müller>,")
                .contains("Merci de vous être inscrit.", URL, "Si vous n'avez pas créé de compte");
        assertThat(parts.get("text/html"))
                .contains("<html lang=\"fr\">", "Bonjour Zoé &lt;Müller&gt;,", "être", "href=\"" + URL + "\"")
                .doesNotContain("<Müller>");
        await().atMost(Duration.ofSeconds(5)).until(() -> total() == 0);
    }

    @Test
    void aTemplateOfEmailTemplatesDirReplacesTheBuiltInOne() throws Exception {
        EmailTemplatesTest.write(
                templates,
                "confirmation",
                "en",
                "Welcome aboard, {{userName}}\n",
                "<p>Hi {{userName}}, <a href=\"{{confirmationUrl}}\">confirm</a></p>",
                "Hi {{userName}}, confirm: {{confirmationUrl}}\n");
        fixture.close();
        fixture =
                new EmailWorkerFixture("email-worker-it", Map.of("EMAIL_TEMPLATES_DIR", templates.toString()), metrics);
        fixture.startSmtp();
        fixture.startWorker(options());

        publish(Map.of(
                "to", "ada@example.com",
                "template", "confirmation",
                "variables", Map.of("userName", "Ada", "confirmationUrl", URL)));
        publish(Map.of(
                "to", "zoe@example.com",
                "template", "confirmation",
                "locale", "fr",
                "variables", Map.of("userName", "Zoé", "confirmationUrl", URL)));

        MimeMessage[] emails = awaitEmails(2);
        Map<String, MimeMessage> byRecipient = new HashMap<>();
        for (MimeMessage m : emails) {
            byRecipient.put(((InternetAddress) m.getRecipients(RecipientType.TO)[0]).getAddress(), m);
        }
        MimeMessage custom = byRecipient.get("ada@example.com");
        assertThat(custom.getSubject()).isEqualTo("Welcome aboard, Ada");
        Map<String, String> parts = parts(custom);
        assertThat(parts.get("text/plain").replace("\r\n", "\n")).isEqualTo("Hi Ada, confirm: " + URL + "\n");
        assertThat(parts.get("text/html")).isEqualTo("<p>Hi Ada, <a href=\"" + URL + "\">confirm</a></p>");
        // The built-in French version is still there.
        assertThat(byRecipient.get("zoe@example.com").getSubject()).isEqualTo("Confirmation d'inscription");
    }

    @Test
    void aPlainMessageIsDeliveredAsGiven() throws Exception {
        fixture.startSmtp();
        fixture.startWorker(options());

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
        fixture.startSmtp();
        fixture.startWorker(options());

        String noRecipient = publish(Map.of("template", "confirmation", "variables", Map.of("userName", "Ada")));
        String unknownTemplate = publish(Map.of("to", "ada@example.com", "template", "welcome"));
        String notJson = "not-json-" + System.nanoTime();
        fixture.client
                .publish(new OutgoingMessage(
                        fixture.exchange,
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
        await().atMost(Duration.ofSeconds(5)).until(() -> depth(fixture.deadLetterQueue()) == 3);
        assertThat(emails).hasSize(1);
        assertThat(header(emails[0], EmailSender.MESSAGE_ID_HEADER)).isEqualTo(valid);

        Map<String, GetResponse> dead = fixture.takeDeadLetters().stream()
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
        // Nothing else turns up late.
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(5))
                .until(() -> fixture.smtp().getReceivedMessages().length == 1);
        assertThat(fixture.smtp().getReceivedMessages()).hasSize(1);
        assertThat(total()).isZero();
    }

    @Test
    void whileSmtpIsDownMessagesWaitAndAreEachDeliveredOnceWhenItReturns() throws Exception {
        // No SMTP server on smtpPort yet: every send is refused at once.
        Worker worker = fixture.startWorker(options().withBreaker(new BreakerConfig(50, 4, 4, Duration.ofSeconds(1))));
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
        assertThat(depth(fixture.deadLetterQueue())).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> total() == n); // nothing lost

        GreenMail smtp = fixture.startSmtp();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> smtp.getReceivedMessages().length >= n);
        // Settled: no more emails turn up, and every queue is empty.
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> smtp.getReceivedMessages().length == n && total() == 0);
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
