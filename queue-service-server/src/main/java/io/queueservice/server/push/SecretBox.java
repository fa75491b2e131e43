package io.queueservice.server.push;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts the secrets of subscriptions for storage (AES-256-GCM, the JDK's). A sealed value reads {@code
 * v1.<key fingerprint>.<base64 of 12-byte nonce + ciphertext + tag>}; the subscription's name is bound as
 * associated data, so a sealed value copied to another subscription does not open.
 */
final class SecretBox {
    private static final String PREFIX = "v1.";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SubscriptionsKey key;

    SecretBox(SubscriptionsKey key) {
        this.key = key;
    }

    /** Thrown when a value cannot be sealed or opened; its message never holds the secret. */
    static final class SecretUnreadableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SecretUnreadableException(String message) {
            super(message);
        }
    }

    boolean canSeal() {
        return key.secretKey().isPresent();
    }

    String seal(String clear, String context) {
        SecretKey k = key.secretKey()
                .orElseThrow(() -> new SecretUnreadableException(
                        SubscriptionsKey.VARIABLE + " is not set: secrets cannot be stored"));
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, k, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(clear.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length)
                    .put(nonce)
                    .put(sealed)
                    .array();
            return PREFIX + SubscriptionsKey.fingerprint(k) + "."
                    + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /** @throws SecretUnreadableException without a key, with another key, or when the value was altered */
    String open(String sealed, String context) {
        SecretKey k = key.secretKey()
                .orElseThrow(() -> new SecretUnreadableException(
                        SubscriptionsKey.VARIABLE + " is not set: the signing secret cannot be read"));
        String[] parts = sealed.split("\\.", 3);
        if (parts.length != 3 || !(parts[0] + ".").equals(PREFIX)) {
            throw new SecretUnreadableException("the stored secret is not in a known format");
        }
        if (!parts[1].equals(SubscriptionsKey.fingerprint(k))) {
            throw new SecretUnreadableException("the secret was stored with another " + SubscriptionsKey.VARIABLE
                    + " (fingerprint " + parts[1] + ", this one is " + SubscriptionsKey.fingerprint(k) + ")");
        }
        try {
            byte[] in = Base64.getDecoder().decode(parts[2]);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new SecretUnreadableException("the stored secret does not open with this key (altered or misplaced)");
        }
    }
}
