package io.queueservice.server.email;

/**
 * A message that can never become an email (no recipient, unknown template, ...): it is dead-lettered
 * at once with {@link #getMessage()} as the reason. The message says what is wrong without quoting the
 * message's content.
 */
public final class InvalidEmailException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidEmailException(String reason) {
        super(reason, null, false, false);
    }
}
