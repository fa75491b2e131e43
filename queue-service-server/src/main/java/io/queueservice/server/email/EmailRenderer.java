package io.queueservice.server.email;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queueservice.server.email.EmailTemplate.Rendered;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Locale.LanguageRange;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a message of the {@code email} exchange into an {@link Email}, with the {@link EmailTemplates}
 * read at start-up. The message is a JSON object:
 *
 * <pre>{@code
 * {"to": "ada@example.com", "subject": "Hello", "body": "Plain text."}
 *
 * {"to": "ada@example.com", "template": "confirmation", "locale": "fr-CA",
 *  "variables": {"userName": "Ada", "confirmationUrl": "https://example.com/confirm?token=..."}}
 * }</pre>
 *
 * <ul>
 *   <li>{@code to}: one recipient, {@code ada@example.com} or {@code Ada <ada@example.com>};
 *   <li>either {@code body} (plain text, with a {@code subject}): a text-only email; or {@code template}
 *       with its {@code variables}: a text and an HTML part. A given {@code subject} replaces the
 *       template's own;
 *   <li>{@code locale} (optional, with a template): the language, a tag such as {@code fr} or {@code
 *       fr-CA}, or an Accept-Language list; see {@link EmailTemplates} for the fallbacks;
 *   <li>{@code variables}: each variable the template shows outside a section is required; each must be
 *       one line of text (a number or a boolean is taken as its text; a boolean also switches sections);
 *       a variable named {@code ...Url} must be an http(s) URL. Variables the template does not use are
 *       ignored.
 * </ul>
 *
 * <p>Anything else is refused with an {@link InvalidEmailException} saying what is wrong; its reason never
 * quotes the recipient, the variables or the body (a confirmation link holds a secret token). Thread-safe.
 */
public final class EmailRenderer {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final EmailTemplates templates;

    /** A renderer of messages with {@code templates} (read and checked at start-up). */
    public EmailRenderer(EmailTemplates templates) {
        this.templates = templates;
    }

    /**
     * The email a message asks for.
     *
     * @param message the message's body, UTF-8 JSON
     * @throws InvalidEmailException when it can never become an email
     */
    public Email render(byte[] message) throws InvalidEmailException {
        JsonNode json = parse(message);
        InternetAddress to = recipient(json.get("to"));
        String subject = text(json, "subject");
        String body = text(json, "body");
        String template = text(json, "template");
        String locale = text(json, "locale");
        if (body != null && template != null) {
            throw new InvalidEmailException("the message has both 'body' and 'template': give one of them");
        }
        if (body == null && template == null) {
            throw new InvalidEmailException(
                    "the message has no content: give 'body' (and 'subject'), or 'template' (and 'variables')");
        }
        if (template == null) {
            if (subject == null) {
                throw new InvalidEmailException("the message has a 'body' but no 'subject'");
            }
            return Email.plainText(to, checkSubject(subject), body);
        }
        EmailTemplate t = templates
                .find(template, languages(locale))
                .orElseThrow(() -> new InvalidEmailException(
                        "unknown template " + quote(template) + " (known: " + templates.names() + ")"));
        Rendered rendered = t.render(values(t, json.get("variables")));
        return new Email(
                to,
                checkSubject(subject != null ? subject : rendered.subject()),
                rendered.text(),
                Optional.of(rendered.html()),
                Optional.of(t.language()));
    }

    private static String checkSubject(String subject) throws InvalidEmailException {
        if (subject.isBlank() || subject.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidEmailException("'subject' must be one line of text, not empty");
        }
        return subject;
    }

    /** The languages a message asks for, best first; empty when it asks for none. */
    private static List<LanguageRange> languages(String locale) throws InvalidEmailException {
        if (locale == null || locale.isBlank()) {
            return List.of();
        }
        try {
            if (locale.length() > 200) {
                throw new IllegalArgumentException("too long");
            }
            return LanguageRange.parse(locale.strip().replace('_', '-'));
        } catch (IllegalArgumentException e) {
            throw new InvalidEmailException("'locale' must be a language tag such as fr or fr-CA");
        }
    }

    /** The variables a template uses, checked, as it renders them. */
    private static Map<String, Object> values(EmailTemplate template, JsonNode variables) throws InvalidEmailException {
        if (variables != null && !variables.isNull() && !variables.isObject()) {
            throw new InvalidEmailException("'variables' must be a JSON object");
        }
        Map<String, Object> values = new HashMap<>();
        for (String name : template.variables()) {
            JsonNode v = variables == null ? null : variables.get(name);
            if (v == null || v.isNull() || (v.isTextual() && v.textValue().isBlank())) {
                if (template.required().contains(name)) {
                    throw new InvalidEmailException("template '" + template.name() + "' needs variable '" + name
                            + "' in 'variables', which is missing");
                }
                continue; // optional: its sections do not show
            }
            if (!v.isValueNode()) {
                throw new InvalidEmailException("variable '" + name + "' must be a string");
            }
            String value = v.asText();
            if (value.chars().anyMatch(Character::isISOControl)) {
                throw new InvalidEmailException("variable '" + name + "' must be one line of text");
            }
            if (TemplateCompiler.isLink(name) && !isHttpUrl(value)) {
                throw new InvalidEmailException("variable '" + name + "' of template '" + template.name()
                        + "' must be an http:// or https:// URL");
            }
            values.put(name, v.isBoolean() ? (Object) v.booleanValue() : value);
        }
        return values;
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
