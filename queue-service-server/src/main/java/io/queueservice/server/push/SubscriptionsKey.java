package io.queueservice.server.push;

import io.queueservice.config.ConfigReader;
import io.queueservice.server.security.SecurityConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that encrypts the subscriptions' signing secrets and static header values ({@code
 * SUBSCRIPTIONS_KEY}: the base64 of 32 random bytes, e.g. {@code openssl rand -base64 32}). Never
 * printed: {@link #toString()} names only its kind and fingerprint.
 */
public sealed interface SubscriptionsKey
        permits SubscriptionsKey.Configured, SubscriptionsKey.Development, SubscriptionsKey.Missing {

    String VARIABLE = "SUBSCRIPTIONS_KEY";

    /** The key from {@code SUBSCRIPTIONS_KEY}. */
    record Configured(SecretKey key) implements SubscriptionsKey {
        @Override
        public String toString() {
            return "SUBSCRIPTIONS_KEY (fingerprint " + fingerprint(key) + ")";
        }
    }

    /**
     * A fixed key known to everyone, for the local quick start ({@code AUTH_MODE=none} without {@code
     * SUBSCRIPTIONS_KEY}): secrets stored with it are as good as clear text.
     */
    record Development(SecretKey key) implements SubscriptionsKey {
        @Override
        public String toString() {
            return "the development key (fingerprint " + fingerprint(key) + ")";
        }
    }

    /** No key: subscriptions cannot be created, nor their secrets read. */
    record Missing() implements SubscriptionsKey {}

    /** The key, unless {@link Missing}. */
    default Optional<SecretKey> secretKey() {
        return switch (this) {
            case Configured c -> Optional.of(c.key());
            case Development d -> Optional.of(d.key());
            case Missing m -> Optional.empty();
        };
    }

    /**
     * Reads {@code SUBSCRIPTIONS_KEY}: when set, the base64 (standard or URL-safe alphabet) of exactly 32
     * bytes; when unset, the development key with {@code AUTH_MODE=none}, else {@link Missing}.
     */
    static SubscriptionsKey from(ConfigReader r, SecurityConfig.AuthMode authMode) {
        Optional<String> raw = r.raw(VARIABLE);
        if (raw.isEmpty()) {
            return authMode == SecurityConfig.AuthMode.NONE ? new Development(developmentKey()) : new Missing();
        }
        byte[] key;
        try {
            String v = raw.get();
            key = v.contains("-") || v.contains("_")
                    ? Base64.getUrlDecoder().decode(v)
                    : Base64.getDecoder().decode(v);
        } catch (IllegalArgumentException e) {
            r.problem(VARIABLE, "must be the base64 of 32 random bytes (openssl rand -base64 32) but is not base64");
            return new Missing();
        }
        if (key.length != 32) {
            r.problem(
                    VARIABLE,
                    "must be the base64 of 32 random bytes (openssl rand -base64 32) but decodes to " + key.length
                            + " bytes");
            return new Missing();
        }
        return new Configured(new SecretKeySpec(key, "AES"));
    }

    private static SecretKey developmentKey() {
        return new SecretKeySpec(
                sha256("queue-service development key: not a secret".getBytes(StandardCharsets.UTF_8)), "AES");
    }

    /** A short, non-secret name for a key: the first 8 characters of its SHA-256, base64url. */
    static String fingerprint(SecretKey key) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(sha256(key.getEncoded()))
                .substring(0, 8);
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
