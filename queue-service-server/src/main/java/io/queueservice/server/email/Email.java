package io.queueservice.server.email;

import jakarta.mail.internet.InternetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An email ready to send: one recipient, a one-line subject, a plain-text body and, from a template, an
 * HTML body (then sent as {@code multipart/alternative}) and the language it is written in.
 *
 * @param to a validated address (see {@link EmailRenderer#render})
 * @param html the HTML alternative of {@code text}; empty for a text-only email
 * @param language the language tag of the template's version that was used ({@code fr}), sent as {@code
 *     Content-Language}; empty when unknown
 */
public record Email(InternetAddress to, String subject, String text, Optional<String> html, Optional<String> language) {
    public Email {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(html, "html");
        Objects.requireNonNull(language, "language");
    }

    /** A text-only email. */
    public static Email plainText(InternetAddress to, String subject, String text) {
        return new Email(to, subject, text, Optional.empty(), Optional.empty());
    }
}
