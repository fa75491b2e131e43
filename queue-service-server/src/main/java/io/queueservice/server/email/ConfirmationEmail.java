package io.queueservice.server.email;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a message of the {@code email} exchange into an {@link Email}. The message is a JSON object:
 *
 * <pre>{@code
 * {"to": "ada@example.com", "subject": "Hello", "body": "Plain text."}
 *
 * {"to": "ada@example.com", "template": "confirmation",
 *  "variables": {"userName": "Ada", "confirmationUrl": "https://example.com/confirm?token=..."}}
 * }</pre>
 *
 * <ul>
 *   <li>{@code to}: one recipient, {@code ada@example.com} or {@code Ada <ada@example.com>};
 *   <li>either {@code body} (plain text, with a {@code subject}) or {@code template} with its {@code
 *       variables}; a given {@code subject} replaces the template's own;
 *   <li>template {@code confirmation}: subject "Confirm your account", a text greeting {@code userName}
 *       and giving the link {@code confirmationUrl}, which must be an http(s) URL.
 * </ul>
 *
 * <p>Anything else is refused with an {@link InvalidEmailException} saying what is wrong; its reason never
 * quotes the recipient, the variables or the body (a confirmation link holds a secret token).
 */
public final class ConfirmationEmail {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    /**
     * A built-in template.
     *
     * @param subject the subject unless the message gives one
     * @param text the body, with {@code {name}} placeholders, each a required variable
     * @param links the variables that must be http(s) URLs
     */
    record Template(String subject, String text, Set<String> links) {}

    static final Map<String, Template> TEMPLATES =
            Map.of("confirmation", new Template("Confirm your account", """
                    Hello {userName},

                    Thank you for signing up. Please confirm your email address by opening this link:

                    {confirmationUrl}

                    If you did not create an account, you can ignore this email.
                    """, Set.of("confirmationUrl")));

    private ConfirmationEmail() {}

    /**
     * The email a message asks for.
     *
     * @param message the message's body, UTF-8 JSON
     * @throws InvalidEmailException when it can never become an email
     */
    public static Email render(byte[] message) throws InvalidEmailException {
        JsonNode json = parse(message);
        InternetAddress to = recipient(json.get("to"));
        String subject = text(json, "subject");
        String body = text(json, "body");
        String template = text(json, "template");
        if (body != null && template != null) {
            throw new InvalidEmailException("the message has both 'body' and 'template': give one of them");
        }
        if (body == null && template == null) {
            throw new InvalidEmailException(
                    "the message has no content: give 'body' (and 'subject'), or 'template' (and 'variables')");
        }
        if (template != null) {
            Template t = TEMPLATES.get(template);
            if (t == null) {
                throw new InvalidEmailException(
                        "unknown template " + quote(template) + " (known: " + new TreeSet<>(TEMPLATES.keySet()) + ")");
            }
            body = fill(template, t, json.get("variables"));
            subject = subject != null ? subject : t.subject();
        } else if (subject == null) {
            throw new InvalidEmailException("the message has a 'body' but no 'subject'");
        }
        if (subject.isBlank() || subject.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidEmailException("'subject' must be one line of text, not empty");
        }
        return new Email(to, subject, body);
    }

    private static JsonNode parse(byte[] message) throws InvalidEmailException {
        JsonNode json;
        try {
            json = JSON.readTree(message);
        } catch (IOException e) {
            throw new InvalidEmailException(
                    "the message is not JSON: " + e.getClass().getSimpleName());
        }
        if (json == null || !json.isObject()) {
            String type = json == null || json.isMissingNode()
                    ? "empty"
                    : json.getNodeType().name().toLowerCase(Locale.ROOT);
            throw new InvalidEmailException("the message must be a JSON object but is " + type);
        }
        return json;
    }

    private static InternetAddress recipient(JsonNode to) throws InvalidEmailException {
        if (to == null || to.isNull()) {
            throw new InvalidEmailException("the message has no recipient: 'to' is missing");
        }
        if (!to.isTextual()) {
            throw new InvalidEmailException("'to' must be a string holding one email address");
        }
        try {
            return SmtpConfig.singleAddress(to.textValue());
        } catch (AddressException e) {
            throw new InvalidEmailException("'to' is not one valid email address: " + e.getMessage());
        }
    }

    /** A string field, null when absent. */
    private static String text(JsonNode json, String field) throws InvalidEmailException {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidEmailException("'" + field + "' must be a string");
        }
        return v.textValue();
    }

    /** The template's text with every placeholder replaced by its variable. */
    private static String fill(String name, Template template, JsonNode variables) throws InvalidEmailException {
        if (variables != null && !variables.isNull() && !variables.isObject()) {
            throw new InvalidEmailException("'variables' must be a JSON object");
        }
        Matcher m = PLACEHOLDER.matcher(template.text());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1);
            String value = variable(name, variables, variable);
            if (template.links().contains(variable) && !isHttpUrl(value)) {
                throw new InvalidEmailException(
                        "variable '" + variable + "' of template '" + name + "' must be an http:// or https:// URL");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String variable(String template, JsonNode variables, String name) throws InvalidEmailException {
        JsonNode v = variables == null ? null : variables.get(name);
        if (v == null || v.isNull() || (v.isTextual() && v.textValue().isBlank())) {
            throw new InvalidEmailException(
                    "template '" + template + "' needs variable '" + name + "' in 'variables', which is missing");
        }
        if (!v.isValueNode()) {
            throw new InvalidEmailException("variable '" + name + "' must be a string");
        }
        String value = v.asText();
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidEmailException("variable '" + name + "' must be one line of text");
        }
        return value;
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https"))
                    && uri.getHost() != null
                    && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** A name from a message, safe to put in a reason and a log line: quoted, short, printable. */
    private static String quote(String s) {
        String printable = s.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return "'" + (printable.length() > 60 ? printable.substring(0, 60) + "..." : printable) + "'";
    }
}
