package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Messages into emails: the message format, the templates' variables, languages and escaping. */
class EmailRendererTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String URL = "https://example.com/confirm?token=s3cr3t-t0ken";
    private static final EmailRenderer RENDERER = new EmailRenderer(EmailTemplatesTest.read(Map.of()));

    @TempDir
    Path dir;

    private static Email render(byte[] message) throws InvalidEmailException {
        return RENDERER.render(message);
    }

    private static byte[] json(Object value) throws Exception {
        return JSON.writeValueAsBytes(value);
    }

    /** The original's registration example. */
    private static Map<String, Object> registration() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("to", "ada@example.com");
        m.put("template", "confirmation");
        m.put("variables", new LinkedHashMap<>(Map.of("userName", "Ada Lovelace", "confirmationUrl", URL)));
        return m;
    }

    private static String reason(byte[] message) {
        InvalidEmailException e = catchThrowableOfType(InvalidEmailException.class, () -> render(message));
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain("s3cr3t", "ada@");
        return e.getMessage();
    }

    private static String reason(Map<String, Object> message) throws Exception {
        return reason(json(message));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> variables(Map<String, Object> message) {
        return (Map<String, Object>) message.get("variables");
    }

    @Test
    void theConfirmationTemplateGreetsTheUserAndGivesTheLink() throws Exception {
        Email email = render(json(registration()));

        assertThat(email.to().getAddress()).isEqualTo("ada@example.com");
        assertThat(email.subject()).isEqualTo("Confirm your account");
        assertThat(email.text())
                .startsWith("Hello Ada Lovelace,\n")
                .contains("\n" + URL + "\n")
                .doesNotContain("{", "}");
        assertThat(email.html())
                .get()
                .asString()
                .contains("<html lang=\"en\">")
                .contains("Hello Ada Lovelace,")
                .contains("href=\"" + URL + "\"")
                .doesNotContain("{{");
        assertThat(email.language()).contains("en");
    }

    @Test
    void aFrenchMessageGetsTheFrenchVersion() throws Exception {
        Map<String, Object> m = registration();
        m.put("locale", "fr");
        variables(m).put("userName", "Zoé Müller");

        Email email = render(json(m));

        assertThat(email.subject()).isEqualTo("Confirmation d'inscription");
        assertThat(email.text())
                .startsWith("Bonjour Zoé Müller,\n")
                .contains("Merci de vous être inscrit.")
                .contains("\n" + URL + "\n")
                .contains("Si vous n'avez pas créé de compte");
        assertThat(email.html()).get().asString().contains("<html lang=\"fr\">", "Bonjour Zoé Müller,", "être");
        assertThat(email.language()).contains("fr");
    }

    @ParameterizedTest
    @CsvSource({"fr-CA, fr", "fr_CA, fr", "FR, fr", "de-AT, en", "'de, fr;q=0.5', fr", "en-US, en", "'', en", "'  ', en"
    })
    void aLanguageFallsBackToItsBaseThenToTheDefault(String locale, String language) throws Exception {
        Map<String, Object> m = registration();
        m.put("locale", locale);

        assertThat(render(json(m)).language()).contains(language);
    }

    @Test
    void aLocaleThatIsNotALanguageTagIsRefused() throws Exception {
        Map<String, Object> m = registration();
        m.put("locale", "fr CA!");
        assertThat(reason(m)).isEqualTo("'locale' must be a language tag such as fr or fr-CA");

        m.put("locale", 33);
        assertThat(reason(m)).isEqualTo("'locale' must be a string");
    }

    @Test
    void variablesAreEscapedInHtmlOnly() throws Exception {
        Map<String, Object> m = registration();
        variables(m).put("userName", "<script>alert(1)</script> & \"Ada\"");
        variables(m).put("confirmationUrl", "https://example.com/confirm?a=1&b='2'");

        Email email = render(json(m));

        assertThat(email.html())
                .get()
                .asString()
                .contains("Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Ada&quot;,")
                .contains("href=\"https://example.com/confirm?a=1&amp;b=&#39;2&#39;\"")
                .doesNotContain("<script>", "b='2'");
        assertThat(email.text())
                .startsWith("Hello <script>alert(1)</script> & \"Ada\",\n")
                .contains("https://example.com/confirm?a=1&b='2'");
    }

    @Test
    void sectionsShowOnlyWhenTheirVariableIsGiven() throws Exception {
        EmailTemplatesTest.write(
                dir,
                "welcome",
                "en",
                "Welcome{{#team}} to {{team}}{{/team}}\n",
                "<p>Hi {{name}}</p>{{#vip}}<p>VIP</p>{{/vip}}{{^vip}}<p>regular</p>{{/vip}}",
                "Hi {{name}}{{#docsUrl}}, see {{docsUrl}}{{/docsUrl}}");
        EmailRenderer renderer =
                new EmailRenderer(EmailTemplatesTest.read(Map.of("EMAIL_TEMPLATES_DIR", dir.toString())));
        Map<String, Object> m = new LinkedHashMap<>(Map.of("to", "ada@example.com", "template", "welcome"));

        m.put("variables", Map.of("name", "Ada"));
        Email minimal = renderer.render(json(m));
        assertThat(minimal.subject()).isEqualTo("Welcome");
        assertThat(minimal.html()).contains("<p>Hi Ada</p><p>regular</p>");
        assertThat(minimal.text()).isEqualTo("Hi Ada");

        m.put(
                "variables",
                Map.of("name", "Ada", "team", "Analytical Engines", "vip", true, "docsUrl", "https://d.example"));
        Email full = renderer.render(json(m));
        assertThat(full.subject()).isEqualTo("Welcome to Analytical Engines");
        assertThat(full.html()).contains("<p>Hi Ada</p><p>VIP</p>");
        assertThat(full.text()).isEqualTo("Hi Ada, see https://d.example");

        m.put("variables", Map.of("name", "Ada", "docsUrl", "javascript:alert(1)"));
        InvalidEmailException e = catchThrowableOfType(InvalidEmailException.class, () -> renderer.render(json(m)));
        assertThat(e).hasMessage("variable 'docsUrl' of template 'welcome' must be an http:// or https:// URL");
    }

    @Test
    void aGivenSubjectReplacesTheTemplatesOwn() throws Exception {
        Map<String, Object> m = registration();
        m.put("subject", "Confirmation d'inscription");

        assertThat(render(json(m)).subject()).isEqualTo("Confirmation d'inscription");
    }

    @Test
    void variablesAreInsertedAsTheyAre() throws Exception {
        Map<String, Object> m = registration();
        variables(m).put("userName", "$1 \\ {confirmationUrl} <b>Zoë</b>");
        variables(m).put("unused", "ignored");

        assertThat(render(json(m)).text()).startsWith("Hello $1 \\ {confirmationUrl} <b>Zoë</b>,\n");
    }

    @Test
    void aPlainMessageIsSentAsGiven() throws Exception {
        Email email =
                render(json(Map.of("to", "Ada <ada@example.com>", "subject", "Grüße", "body", "Line 1\nLine 2\n")));

        assertThat(email.to().getAddress()).isEqualTo("ada@example.com");
        assertThat(email.to().getPersonal()).isEqualTo("Ada");
        assertThat(email.subject()).isEqualTo("Grüße");
        assertThat(email.text()).isEqualTo("Line 1\nLine 2\n");
        assertThat(email.html()).isEmpty();
        assertThat(email.language()).isEmpty();
    }

    @Test
    void somethingThatIsNotJsonIsRefused() {
        assertThat(reason("not json {".getBytes(StandardCharsets.UTF_8))).startsWith("the message is not JSON");
        assertThat(reason("{\"to\":\"a@example.com\"} trailing".getBytes(StandardCharsets.UTF_8)))
                .startsWith("the message is not JSON");
        assertThat(reason("{\"to\":\"a@example.com\",\"to\":\"b@example.com\"}".getBytes(StandardCharsets.UTF_8)))
                .startsWith("the message is not JSON");
    }

    @Test
    void somethingThatIsNotAnObjectIsRefused() {
        assertThat(reason(new byte[0])).isEqualTo("the message must be a JSON object but is empty");
        assertThat(reason("[1]".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("the message must be a JSON object but is array");
        assertThat(reason("\"ada@example.com\"".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("the message must be a JSON object but is string");
    }

    @Test
    void aMessageWithoutRecipientIsRefused() throws Exception {
        Map<String, Object> m = registration();
        m.remove("to");
        assertThat(reason(m)).isEqualTo("the message has no recipient: 'to' is missing");

        m.put("to", null);
        assertThat(reason(m)).isEqualTo("the message has no recipient: 'to' is missing");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "ada",
                "ada@",
                "@example.com",
                "ada@example..com",
                "ada@example.com, bob@example.com",
                "friends:;",
                "ada @example.com",
                "''"
            })
    void aRecipientThatIsNotOneValidAddressIsRefused(String to) throws Exception {
        Map<String, Object> m = registration();
        m.put("to", to);
        assertThat(reason(m)).startsWith("'to' is not one valid email address: ");
    }

    @Test
    void aRecipientThatIsNotAStringIsRefused() throws Exception {
        Map<String, Object> m = registration();
        m.put("to", java.util.List.of("ada@example.com"));
        assertThat(reason(m)).isEqualTo("'to' must be a string holding one email address");
    }

    @Test
    void aMessageWithoutContentIsRefused() throws Exception {
        assertThat(reason(Map.of("to", "ada@example.com", "subject", "Hi")))
                .startsWith("the message has no content: give 'body' (and 'subject'), or 'template'");
    }

    @Test
    void aMessageWithBothBodyAndTemplateIsRefused() throws Exception {
        Map<String, Object> m = registration();
        m.put("body", "Hi");
        assertThat(reason(m)).isEqualTo("the message has both 'body' and 'template': give one of them");
    }

    @Test
    void aBodyWithoutSubjectIsRefused() throws Exception {
        assertThat(reason(Map.of("to", "ada@example.com", "body", "Hi")))
                .isEqualTo("the message has a 'body' but no 'subject'");
    }

    @Test
    void aSubjectMustBeOneLineOfText() throws Exception {
        assertThat(reason(Map.of("to", "ada@example.com", "subject", "Hi\r\nBcc: eve@example.com", "body", "x")))
                .isEqualTo("'subject' must be one line of text, not empty");
        assertThat(reason(Map.of("to", "ada@example.com", "subject", " ", "body", "x")))
                .isEqualTo("'subject' must be one line of text, not empty");
        assertThat(reason(Map.of("to", "ada@example.com", "subject", 42, "body", "x")))
                .isEqualTo("'subject' must be a string");
    }

    @Test
    void anUnknownTemplateIsRefusedAndNamed() throws Exception {
        Map<String, Object> m = registration();
        m.put("template", "welcome\n");
        assertThat(reason(m)).isEqualTo("unknown template 'welcome?' (known: [confirmation])");
    }

    @ParameterizedTest
    @CsvSource({"userName", "confirmationUrl"})
    void aMissingOrEmptyVariableIsRefusedAndNamed(String variable) throws Exception {
        Map<String, Object> m = registration();
        variables(m).remove(variable);
        String expected = "template 'confirmation' needs variable '" + variable + "' in 'variables', which is missing";
        assertThat(reason(m)).isEqualTo(expected);

        variables(m).put(variable, "  ");
        assertThat(reason(m)).isEqualTo(expected);
    }

    @Test
    void aTemplateWithoutVariablesIsRefused() throws Exception {
        Map<String, Object> m = registration();
        m.remove("variables");
        assertThat(reason(m)).contains("needs variable 'userName'");

        m.put("variables", "userName=Ada");
        assertThat(reason(m)).isEqualTo("'variables' must be a JSON object");
    }

    @Test
    void aVariableMustBeOneLineOfText() throws Exception {
        Map<String, Object> m = registration();
        variables(m).put("userName", Map.of("first", "Ada"));
        assertThat(reason(m)).isEqualTo("variable 'userName' must be a string");

        variables(m).put("userName", "Ada\n\nAlso visit https://evil.example");
        assertThat(reason(m)).isEqualTo("variable 'userName' must be one line of text");
    }

    @ParameterizedTest
    @CsvSource({
        "javascript:alert(1)//s3cr3t",
        "ftp://example.com/s3cr3t",
        "/confirm?token=s3cr3t",
        "https:///s3cr3t",
        "https://exa mple.com/s3cr3t"
    })
    void aConfirmationUrlThatIsNotHttpIsRefusedWithoutQuotingIt(String url) throws Exception {
        Map<String, Object> m = registration();
        variables(m).put("confirmationUrl", url);
        assertThat(reason(m))
                .isEqualTo("variable 'confirmationUrl' of template 'confirmation' must be an http:// or https:// URL");
    }

    @Test
    void httpAndUpperCaseSchemesAreLinks() throws Exception {
        Map<String, Object> m = registration();
        variables(m).put("confirmationUrl", "HTTP://localhost:8080/confirm");
        assertThat(render(json(m)).text()).contains("HTTP://localhost:8080/confirm");
    }
}
