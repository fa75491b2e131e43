package io.queueservice.server.idempotency;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a request body, in hex: a retry with the same key must send the same body, byte for byte.
 *
 * @param hex 64 lowercase hex digits
 */
public record Fingerprint(String hex) {
    public Fingerprint {
        if (hex == null || !hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a fingerprint is 64 lowercase hex digits");
        }
    }

    /** The fingerprint of {@code body}. */
    public static Fingerprint of(byte[] body) {
        try {
            return new Fingerprint(HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
