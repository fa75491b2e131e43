package io.queueservice.server.security;

import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;

/** Where the keys that verify tokens come from: exactly one of these, set by configuration. */
public sealed interface KeySource {
    /** {@code JWT_SECRET}: a shared HMAC secret (its UTF-8 bytes). Never printed. */
    record Secret(byte[] bytes) implements KeySource {
        public Secret {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secret s && Arrays.equals(bytes, s.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Secret[*****]";
        }
    }

    /** {@code JWT_PUBLIC_KEY_PATH}: one RSA or EC public key, read at startup. */
    record PublicKeyFile(Path path, PublicKey key) implements KeySource {
        @Override
        public String toString() {
            return "PublicKeyFile[" + path + ", " + key.getAlgorithm() + "]";
        }
    }

    /** {@code JWT_JWKS_URL}: a JWK set fetched over HTTP(S), cached, refreshed at a bounded rate. */
    record Jwks(URI url) implements KeySource {}
}
