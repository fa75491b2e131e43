package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.queueservice.config.ConfigReader;
import io.queueservice.server.email.EmailSender.RecipientRefusedException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The sender against scripted SMTP servers on 127.0.0.1: what is a permanent refusal, what is worth a retry. */
class EmailSenderTest {

    private static SmtpConfig smtp(int port, String... more) {
        Map<String, String> values = new HashMap<>(
                Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(port), "SMTP_TIMEOUT", "500"));
        for (int i = 0; i < more.length; i += 2) {
            values.put(more[i], more[i + 1]);
        }
        ConfigReader env = new ConfigReader(values);
        SmtpConfig config = SmtpConfig.from(env);
        env.validate();
        return config;
    }

    private static Email email() throws Exception {
        return Email.plainText(new InternetAddress("ada@example.com"), "Subject", "Body text");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Test
    void sendsTheEmailWithTheQueueMessageIdHeader() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.accepting()) {
            new EmailSender(smtp(server.port(), "SMTP_FROM", "Service <no-reply@example.com>")).send(email(), "msg-42");

            assertThat(server.received)
                    .singleElement()
                    .satisfies(data -> assertThat(data)
                            .contains("X-Queue-Message-Id: msg-42\r\n")
                            .contains("To: ada@example.com\r\n")
                            .contains("From: Service <no-reply@example.com>\r\n")
                            .contains("Subject: Subject\r\n")
                            .contains("Content-Type: text/plain; charset=UTF-8")
                            .contains("Body text"));
        }
    }

    @Test
    void anIdThatCouldBreakTheHeaderIsLeftOut() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.accepting()) {
            EmailSender sender = new EmailSender(smtp(server.port()));
            sender.send(email(), "id\r\nBcc: eve@example.com");
            sender.send(email(), null);

            assertThat(server.received)
                    .hasSize(2)
                    .allSatisfy(data -> assertThat(data).doesNotContain("X-Queue-Message-Id", "Bcc"));
        }
    }

    @Test
    void aRecipientRefusedWith5xxIsPermanent() throws Exception {
        for (String reply :
                new String[] {"550 5.1.1 <ada@example.com>: no such user", "553 5.1.3 bad mailbox", "554 no"}) {
            try (FakeSmtpServer server = FakeSmtpServer.refusingRecipients(reply)) {
                Throwable e = catchThrowable(() -> new EmailSender(smtp(server.port())).send(email(), "m"));

                assertThat(e).as(reply).isInstanceOf(RecipientRefusedException.class);
                assertThat(((RecipientRefusedException) e).replyCode())
                        .isEqualTo(Integer.parseInt(reply.substring(0, 3)));
                assertThat(e.getMessage())
                        .startsWith("the SMTP server refused the recipient: ")
                        .contains(reply.substring(4))
                        .doesNotContain("\n");
                assertThat(server.received).isEmpty();
            }
        }
    }

    @Test
    void aRecipientRefusedWith4xxOr552IsWorthARetry() throws Exception {
        for (String reply : new String[] {"450 4.2.0 greylisted, come back later", "452 too many", "552 full"}) {
            try (FakeSmtpServer server = FakeSmtpServer.refusingRecipients(reply)) {
                Throwable e = catchThrowable(() -> new EmailSender(smtp(server.port())).send(email(), "m"));

                assertThat(e).as(reply).isInstanceOf(MessagingException.class);
            }
        }
    }

    @Test
    void aServerThatIsDownIsWorthARetry() throws Exception {
        Throwable e = catchThrowable(() -> new EmailSender(smtp(closedPort())).send(email(), "m"));

        assertThat(e).isInstanceOf(MessagingException.class);
    }

    @Test
    void aServerThatDoesNotAnswerTimesOut() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.silent()) {
            long start = System.nanoTime();
            Throwable e = catchThrowable(() -> new EmailSender(smtp(server.port())).send(email(), "m"));

            assertThat(e).isInstanceOf(MessagingException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void sessionPropertiesFollowTheConfiguration() {
        Properties plain = EmailSender.properties(smtp(2525, "SMTP_TIMEOUT", "1234"));
        assertThat(plain.getProperty("mail.smtp.host")).isEqualTo("127.0.0.1");
        assertThat(plain.getProperty("mail.smtp.port")).isEqualTo("2525");
        assertThat(plain.getProperty("mail.smtp.auth")).isEqualTo("false");
        assertThat(plain.getProperty("mail.smtp.connectiontimeout")).isEqualTo("1234");
        assertThat(plain.getProperty("mail.smtp.timeout")).isEqualTo("1234");
        assertThat(plain.getProperty("mail.smtp.writetimeout")).isEqualTo("1234");
        assertThat(plain.getProperty("mail.smtp.starttls.enable")).isNull();

        Properties secure = EmailSender.properties(
                smtp(587, "SMTP_USER", "mailer", "SMTP_PASSWORD", "t0p-s3cret", "SMTP_STARTTLS", "true"));
        assertThat(secure.getProperty("mail.smtp.auth")).isEqualTo("true");
        assertThat(secure.getProperty("mail.smtp.starttls.enable")).isEqualTo("true");
        assertThat(secure.getProperty("mail.smtp.starttls.required")).isEqualTo("true");
        assertThat(secure.toString()).doesNotContain("t0p-s3cret");
    }

    @Test
    void startTlsIsRequiredWhenConfigured() throws Exception {
        // The fake server does not offer STARTTLS: nothing may be sent in clear.
        try (FakeSmtpServer server = FakeSmtpServer.accepting()) {
            Throwable e = catchThrowable(
                    () -> new EmailSender(smtp(server.port(), "SMTP_STARTTLS", "true")).send(email(), "m"));

            assertThat(e).isInstanceOf(MessagingException.class).isNotInstanceOf(RecipientRefusedException.class);
            assertThat(server.received).isEmpty();
        }
    }
}
