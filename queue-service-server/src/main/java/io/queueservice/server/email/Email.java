package io.queueservice.server.email;

import jakarta.mail.internet.InternetAddress;
import java.util.Objects;

/**
 * An email ready to send: one recipient, a one-line subject and a plain-text body.
 *
 * @param to a validated address (see {@link ConfirmationEmail#render})
 */
public record Email(InternetAddress to, String subject, String body) {
    public Email {
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(body, "body");
    }
}
