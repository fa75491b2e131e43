package io.queueservice.server.email;

import io.queueservice.config.ConfigReader;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;

/**
 * Where and how the email worker sends: an SMTP server, optionally with authentication and STARTTLS.
 * {@link #toString()} never shows the password.
 *
 * @param user null when the server takes mail without authentication
 * @param password null exactly when {@code user} is
 * @param from the sender ({@code From} header and envelope sender), a single address such as {@code
 *     no-reply@example.com} or {@code Example <no-reply@example.com>}
 * @param startTls upgrade the connection with STARTTLS before sending anything, and refuse to send when
 *     the server does not offer it
 * @param timeout for connecting, and for each read and write on the connection
 */
public record SmtpConfig(
        String host, int port, String user, String password, String from, boolean startTls, Duration timeout) {

    public static final String DEFAULT_FROM = "no-reply@localhost";

    /**
     * Reads {@code SMTP_HOST} (localhost), {@code SMTP_PORT} (587), {@code SMTP_USER} and {@code
     * SMTP_PASSWORD} (both unset: no authentication; the password is required with a user), {@code
     * SMTP_FROM} ({@value #DEFAULT_FROM}), {@code SMTP_STARTTLS} (false) and {@code SMTP_TIMEOUT} (ms,
     * 10000). Problems are recorded in {@code env}, never with the password; call {@link
     * ConfigReader#validate()} afterwards.
     */
    public static SmtpConfig from(ConfigReader env) {
        String host = env.string("SMTP_HOST", "localhost");
        int port = env.integer("SMTP_PORT", 587, 1, 65535);
        String user = env.raw("SMTP_USER").orElse(null);
        String password = env.raw("SMTP_PASSWORD").orElse(null); // trimmed, like every setting
        if (user != null && password == null) {
            env.problem("SMTP_PASSWORD", "is required when SMTP_USER is set");
        } else if (user == null && password != null) {
            env.problem("SMTP_PASSWORD", "is set but SMTP_USER is not: set both to authenticate, or neither");
        }
        String from = env.string("SMTP_FROM", DEFAULT_FROM);
        try {
            singleAddress(from);
        } catch (AddressException e) {
            env.problem(
                    "SMTP_FROM",
                    "must be one email address such as no-reply@example.com but was '" + from + "' (" + e.getMessage()
                            + ")");
            from = DEFAULT_FROM;
        }
        boolean startTls = env.bool("SMTP_STARTTLS", false);
        long timeoutMs = env.longValue("SMTP_TIMEOUT", 10_000, 100, 600_000);
        return new SmtpConfig(host, port, user, password, from, startTls, Duration.ofMillis(timeoutMs));
    }

    /**
     * One email address, strictly parsed and validated: {@code ada@example.com} or {@code Ada
     * <ada@example.com>}; not a list, not a group.
     *
     * @throws AddressException saying what is wrong in its message, which does not quote the text
     */
    static InternetAddress singleAddress(String text) throws AddressException {
        InternetAddress[] parsed = InternetAddress.parse(text, true);
        if (parsed.length != 1) {
            throw new AddressException(parsed.length == 0 ? "no address" : "more than one address");
        }
        InternetAddress address = parsed[0];
        if (address.isGroup()) {
            throw new AddressException("a group, not an address");
        }
        address.validate();
        if (address.getAddress().indexOf('@') < 1) {
            throw new AddressException("no '@domain'");
        }
        return address;
    }

    /** The sender as an address (validated by {@link #from(ConfigReader)}). */
    InternetAddress fromAddress() {
        try {
            return singleAddress(from);
        } catch (AddressException e) {
            throw new IllegalArgumentException("SMTP_FROM is not one email address: " + e.getMessage(), e);
        }
    }

    /** Whether to authenticate. */
    public boolean authenticates() {
        return user != null;
    }

    @Override
    public String toString() {
        return "SmtpConfig[host=" + host + ", port=" + port + ", user=" + user + ", password="
                + (password == null ? "null" : "*****") + ", from=" + from + ", startTls=" + startTls
                + ", timeout=" + timeout + "]";
    }
}
