package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.queueservice.config.ConfigReader;
import io.queueservice.worker.Message;
import io.queueservice.worker.MessageHandler;
import io.queueservice.worker.Outcome;
import jakarta.mail.MessagingException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's handler without a broker: which messages are sent, dead-lettered, or retried. */
class EmailWorkerTest {
    private static final String VALID =
            "{\"to\":\"ada@example.com\",\"template\":\"confirmation\",\"variables\":{\"userName\":\"Ada\","
                    + "\"confirmationUrl\":\"https://example.com/c?t=1\"}}";

    private static MessageHandler handler(int port) {
        ConfigReader env = new ConfigReader(
                Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(port), "SMTP_TIMEOUT", "500"));
        SmtpConfig smtp = SmtpConfig.from(env);
        env.validate();
        return EmailWorker.handler(new EmailRenderer(EmailTemplatesTest.read(Map.of())), new EmailSender(smtp));
    }

    private static Message message(String body) {
        return new Message(
                body.getBytes(StandardCharsets.UTF_8),
                Map.of(),
                "id-1",
                "application/json",
                EmailWorker.EXCHANGE,
                EmailWorker.ROUTING_KEY,
                1,
                false);
    }

    @Test
    void aValidMessageIsSentAndAcknowledged() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.accepting()) {
            Outcome outcome = handler(server.port()).handle(message(VALID));

            assertThat(outcome).isEqualTo(Outcome.ack());
            assertThat(server.received).singleElement().asString().contains("Hello Ada,", "X-Queue-Message-Id: id-1");
        }
    }

    @Test
    void anInvalidMessageIsDeadLetteredWithItsReasonAndNothingIsSent() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.accepting()) {
            Outcome outcome = handler(server.port()).handle(message("{\"template\":\"confirmation\"}"));

            assertThat(outcome)
                    .isEqualTo(
                            Outcome.deadLetter("invalid email message: the message has no recipient: 'to' is missing"));
            assertThat(server.received).isEmpty();
        }
    }

    @Test
    void aRecipientTheServerRefusesIsDeadLettered() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.refusingRecipients("550 5.1.1 no such user")) {
            Outcome outcome = handler(server.port()).handle(message(VALID));

            assertThat(outcome)
                    .isEqualTo(Outcome.deadLetter("the SMTP server refused the recipient: 550 5.1.1 no such user"));
        }
    }

    @Test
    void aServerThatIsDownMakesTheHandlerThrowSoTheMessageIsRetried() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        MessageHandler handler = handler(port);

        assertThat(catchThrowable(() -> handler.handle(message(VALID)))).isInstanceOf(MessagingException.class);
    }
}
