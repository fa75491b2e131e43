package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.queueservice.config.ConfigReader;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rendered emails as a real SMTP server (GreenMail on 127.0.0.1) receives them, without a broker: the MIME
 * structure, the encoding of non-ASCII text, the headers, escaping, languages and custom templates.
 */
class EmailDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String URL = "https://example.com/confirm?token=abc123";

    @TempDir
    Path templates;

    private GreenMail smtp;

    @BeforeEach
    void startSmtp() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
    }

    @AfterEach
    void stopSmtp() {
        smtp.stop();
    }

    /** Renders the message with the worker's settings plus {@code more}, sends it, and returns it as received. */
    private MimeMessage deliver(Map<String, Object> message, String... more) throws Exception {
        Map<String, String> values = new HashMap<>(Map.of(
                "SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()),
                "SMTP_FROM", "Équipe Exemple <no-reply@example.com>"));
        for (int i = 0; i < more.length; i += 2) {
            values.put(more[i], more[i + 1]);
        }
        ConfigReader env = new ConfigReader(values);
        EmailConfig config = EmailConfig.from(env);
        env.validate();
        int before = smtp.getReceivedMessages().length;
        Email email = new EmailRenderer(config.templates()).render(JSON.writeValueAsBytes(message));
        new EmailSender(config.smtp()).send(email, "queue-message-1");
        assertThat(smtp.waitForIncomingEmail(5_000, before + 1)).as("received").isTrue();
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(before + 1);
        return received[before];
    }

    private static Map<String, Object> signUp(String locale, String userName) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("to", "Zoé Exemple <zoe@example.com>");
        m.put("template", "confirmation");
        if (locale != null) {
            m.put("locale", locale);
        }
        m.put("variables", Map.of("userName", userName, "confirmationUrl", URL));
        return m;
    }

    /** The decoded text of each part, by content type without parameters, in order. */
    private static Map<String, String> parts(MimeMessage email) throws Exception {
        assertThat(email.getContentType()).startsWith("multipart/alternative");
        MimeMultipart multipart = (MimeMultipart) email.getContent();
        Map<String, String> parts = new LinkedHashMap<>();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            assertThat(part.getContentType()).as("part %d", i).containsIgnoringCase("charset=UTF-8");
            parts.put(
                    part.getContentType().replaceAll(";.*", "").strip(),
                    part.getContent().toString());
        }
        return parts;
    }

    private static String rawHeader(MimeMessage m, String name) throws Exception {
        String[] values = m.getHeader(name);
        return values == null ? null : values[0];
    }

    @Test
    void aTemplateEmailIsMultipartAlternativeWithTheTextPartFirstAndTheHtmlPartLast() throws Exception {
        MimeMessage email = deliver(signUp(null, "Ada"));

        Map<String, String> parts = parts(email);
        assertThat(parts.keySet()).containsExactly("text/plain", "text/html");
        assertThat(parts.get("text/plain").replace("\r\n", "\n"))
                .isEqualTo("Hello Ada,\n\nThank you for signing up. Please confirm your email address by opening"
                        + " this link:\n\n" + URL
                        + "\n\nIf you did not create an account, you can ignore this email.\n");
        assertThat(parts.get("text/html"))
                .startsWith("<!DOCTYPE html>")
                .contains("<html lang=\"en\">", "Hello Ada,", "<a href=\"" + URL + "\"");
        assertThat(email.getSubject()).isEqualTo("Confirm your account");
        assertThat(email.getContentLanguage()).containsExactly("en");
    }

    @Test
    void theHeadersAreThoseOfAWellFormedEmail() throws Exception {
        Instant before = Instant.now().minusSeconds(2);
        MimeMessage email = deliver(signUp("fr", "Zoé"));

        assertThat(email.getFrom())
                .singleElement()
                .satisfies(from ->
                        assertThat(((InternetAddress) from).getPersonal()).isEqualTo("Équipe Exemple"));
        assertThat(rawHeader(email, "From")).startsWith("=?UTF-8?").endsWith("<no-reply@example.com>");
        assertThat(email.getRecipients(jakarta.mail.Message.RecipientType.TO))
                .singleElement()
                .satisfies(
                        to -> assertThat(((InternetAddress) to).getPersonal()).isEqualTo("Zoé Exemple"));
        assertThat(email.getSentDate().toInstant())
                .isBetween(before, Instant.now().plusSeconds(2));
        assertThat(rawHeader(email, "Message-ID")).matches("<[0-9a-f-]{36}@example\\.com>");
        assertThat(rawHeader(email, "MIME-Version")).isEqualTo("1.0");
        assertThat(rawHeader(email, EmailSender.MESSAGE_ID_HEADER)).isEqualTo("queue-message-1");
        assertThat(GreenMailUtil.getHeaders(email)).doesNotContain("é"); // headers travel as ASCII
    }

    @Test
    void aFrenchSubjectAndAccentsArriveIntact() throws Exception {
        MimeMessage email = deliver(signUp("fr-CA", "Zoé Müller-Œuvray"));

        assertThat(rawHeader(email, "Subject")).isEqualTo("Confirmation d'inscription"); // ASCII: sent as it is
        assertThat(email.getSubject()).isEqualTo("Confirmation d'inscription");
        assertThat(email.getContentLanguage()).containsExactly("fr");
        Map<String, String> parts = parts(email);
        assertThat(parts.get("text/plain"))
                .startsWith("Bonjour Zoé Müller-Œuvray,")
                .contains(
                        "Merci de vous être inscrit.",
                        "Si vous n'avez pas créé de compte, vous pouvez ignorer cet e-mail.");
        assertThat(parts.get("text/html"))
                .contains("<html lang=\"fr\">", "Bonjour Zoé Müller-Œuvray,", "Confirmer mon adresse e-mail");
    }

    @Test
    void aNonAsciiSubjectIsEncodedAndDecodedBack() throws Exception {
        Map<String, Object> m = signUp("fr", "Zoé");
        m.put("subject", "Vérifiez votre adresse ✓");

        MimeMessage email = deliver(m);

        assertThat(rawHeader(email, "Subject")).startsWith("=?UTF-8?").doesNotContain("é", "✓");
        assertThat(email.getSubject()).isEqualTo("Vérifiez votre adresse ✓");
    }

    @Test
    void variablesAreTextInTheHtmlPartNeverMarkup() throws Exception {
        MimeMessage email = deliver(signUp(null, "<script>alert(1)</script><b>Ada</b>"));

        Map<String, String> parts = parts(email);
        assertThat(parts.get("text/html"))
                .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Ada&lt;/b&gt;,")
                .doesNotContain("<script>", "<b>Ada");
        assertThat(parts.get("text/plain")).startsWith("Hello <script>alert(1)</script><b>Ada</b>,");
    }

    @Test
    void anUnknownLanguageFallsBackToTheDefaultOne() throws Exception {
        assertThat(deliver(signUp("de-AT", "Ada")).getSubject()).isEqualTo("Confirm your account");
        assertThat(deliver(signUp("de-AT", "Ada"), "EMAIL_DEFAULT_LOCALE", "fr").getSubject())
                .isEqualTo("Confirmation d'inscription");
        assertThat(deliver(signUp(null, "Ada"), "EMAIL_DEFAULT_LOCALE", "fr").getContentLanguage())
                .containsExactly("fr");
    }

    @Test
    void aCustomTemplateReplacesTheBuiltInOneInItsLanguageOnly() throws Exception {
        EmailTemplatesTest.write(
                templates,
                "confirmation",
                "fr",
                "Bienvenue, {{userName}} !\n",
                "<p>Bienvenue, {{userName}} ! <a href=\"{{confirmationUrl}}\">Confirmer</a></p>\n",
                "Bienvenue, {{userName}} ! {{confirmationUrl}}\n");
        String dir = templates.toString();

        MimeMessage custom = deliver(signUp("fr", "Zoé"), "EMAIL_TEMPLATES_DIR", dir);
        assertThat(custom.getSubject()).isEqualTo("Bienvenue, Zoé !");
        assertThat(parts(custom).get("text/html").replace("\r\n", "\n"))
                .isEqualTo("<p>Bienvenue, Zoé ! <a href=\"" + URL + "\">Confirmer</a></p>\n");

        MimeMessage english = deliver(signUp("en", "Ada"), "EMAIL_TEMPLATES_DIR", dir);
        assertThat(english.getSubject()).isEqualTo("Confirm your account");
    }

    @Test
    void aPlainMessageStaysTextOnly() throws Exception {
        Map<String, Object> m =
                new LinkedHashMap<>(Map.of("to", "ada@example.com", "subject", "Grüße", "body", "Zeile ✓"));

        MimeMessage email = deliver(m);

        assertThat(email.getContentType()).startsWith("text/plain").containsIgnoringCase("charset=UTF-8");
        assertThat(email.getContent().toString()).isEqualTo("Zeile ✓");
        assertThat(email.getSubject()).isEqualTo("Grüße");
        assertThat(email.getHeader("Content-Language")).isNull();
        assertThat(Duration.between(email.getSentDate().toInstant(), Instant.now()))
                .isLessThan(Duration.ofMinutes(1));
    }
}
