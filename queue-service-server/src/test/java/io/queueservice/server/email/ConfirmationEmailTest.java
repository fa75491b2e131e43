package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfirmationEmailTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String URL = "https://example.com/confirm?token=s3cr3t-t0ken";

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
        InvalidEmailException e =
                catchThrowableOfType(InvalidEmailException.class, () -> ConfirmationEmail.render(message));
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
        Email email = ConfirmationEmail.render(json(registration()));

        assertThat(email.to().getAddress()).isEqualTo("ada@example.com");
        assertThat(email.subject()).isEqualTo("Confirm your account");
        assertThat(email.body())
                .startsWith("Hello Ada Lovelace,\n")
                .contains("\n" + URL + "\n")
                .doesNotContain("{", "}");
    }

    @Test
    void aGivenSubjectReplacesTheTemplatesOwn() throws Exception {
        Map<String, Object> m = registration();
        m.put("subject", "Confirmation d'inscription");

        assertThat(ConfirmationEmail.render(json(m)).subject()).isEqualTo("Confirmation d'inscription");
    }

    @Test
    void variablesAreInsertedAsTheyAre() throws Exception {
        Map<String, Object> m = registration();
        variables(m).put("userName", "$1 \\ {confirmationUrl} <b>Zoë</b>");
        variables(m).put("unused", "ignored");

        assertThat(ConfirmationEmail.render(json(m)).body()).startsWith("Hello $1 \\ {confirmationUrl} <b>Zoë</b>,\n");
    }

    @Test
    void aPlainMessageIsSentAsGiven() throws Exception {
        Email email = ConfirmationEmail.render(
                json(Map.of("to", "Ada <ada@example.com>", "subject", "Grüße", "body", "Line 1\nLine 2\n")));

        assertThat(email.to().getAddress()).isEqualTo("ada@example.com");
        assertThat(email.to().getPersonal()).isEqualTo("Ada");
        assertThat(email.subject()).isEqualTo("Grüße");
        assertThat(email.body()).isEqualTo("Line 1\nLine 2\n");
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
        assertThat(ConfirmationEmail.render(json(m)).body()).contains("HTTP://localhost:8080/confirm");
    }
}
