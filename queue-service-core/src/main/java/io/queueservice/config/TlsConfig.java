package io.queueservice.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS to the broker: {@code TLS_ENABLED}, {@code TLS_CA_PATH}, {@code TLS_CERT_PATH}, {@code
 * TLS_KEY_PATH}. The files are checked at startup. Connecting over TLS is not implemented yet, so
 * enabling it is reported as a configuration error rather than silently ignored.
 */
public record TlsConfig(boolean enabled, Optional<Path> caPath, Optional<Path> certPath, Optional<Path> keyPath) {

    public static TlsConfig from(ConfigReader env) {
        boolean enabled = env.bool("TLS_ENABLED", false);
        Optional<Path> ca = env.readableFile("TLS_CA_PATH");
        Optional<Path> cert = env.readableFile("TLS_CERT_PATH");
        Optional<Path> key = env.readableFile("TLS_KEY_PATH");
        if (cert.isPresent() != key.isPresent()) {
            env.problem(
                    cert.isPresent() ? "TLS_KEY_PATH" : "TLS_CERT_PATH",
                    "must be set together with " + (cert.isPresent() ? "TLS_CERT_PATH" : "TLS_KEY_PATH")
                            + " (a client certificate needs its key)");
        }
        if (enabled) {
            env.problem("TLS_ENABLED", "is 'true' but TLS to the broker is not supported yet; set it to false");
        }
        return new TlsConfig(enabled, ca, cert, key);
    }
}
