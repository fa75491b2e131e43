package io.queueservice.server.idempotency;

import java.util.Objects;

/**
 * Whose idempotency keys these are: two callers may use the same key without seeing each other's answers.
 *
 * @param value {@code sub:<token subject>} or {@code ip:<client address>}
 */
public record KeyOwner(String value) {
    public KeyOwner {
        Objects.requireNonNull(value, "value");
    }

    /** The subject of the caller's verified token. */
    public static KeyOwner subject(String subject) {
        return new KeyOwner("sub:" + subject);
    }

    /** The client's address, for {@code AUTH_MODE=none}, where callers have no identity of their own. */
    public static KeyOwner clientAddress(String address) {
        return new KeyOwner("ip:" + address);
    }
}
