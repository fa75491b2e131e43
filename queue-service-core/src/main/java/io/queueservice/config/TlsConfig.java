package io.queueservice.config;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * TLS to the broker: on with {@code TLS_ENABLED=true} or with {@code amqps://} URLs. {@code TLS_CA_PATH}
 * names the CA certificates (PEM) the broker's certificate must chain to, the JDK's trust store when
 * unset; {@code TLS_CERT_PATH} and {@code TLS_KEY_PATH} a client certificate and its key.
 *
 * <p>The files are read, and the TLS context built, at startup, so an unusable file is a configuration
 * error naming its variable rather than a failure at the first connection.
 *
 * @param context present exactly when TLS is on; shared by every connection
 * @param identity the client certificate and key, when set
 */
public record TlsConfig(
        boolean enabled,
        Optional<Path> caPath,
        Optional<Path> certPath,
        Optional<Path> keyPath,
        Optional<PemFiles.Identity> identity,
        Optional<SSLContext> context) {

    static final String ENABLED = "TLS_ENABLED";
    static final String CA = "TLS_CA_PATH";
    static final String CERT = "TLS_CERT_PATH";
    static final String KEY = "TLS_KEY_PATH";

    /** TLS off, as without any TLS settings. */
    public static final TlsConfig DISABLED = new TlsConfig(
            false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /**
     * Reads the {@code TLS_*} variables.
     *
     * @param amqpsUrl whether {@code RABBITMQ_URL} uses {@code amqps://}, which turns TLS on by itself
     */
    public static TlsConfig from(ConfigReader env, boolean amqpsUrl) {
        boolean enabled = env.bool(ENABLED, false) || amqpsUrl;
        Optional<Path> ca = env.raw(CA).map(Path::of);
        Optional<Path> cert = env.raw(CERT).map(Path::of);
        Optional<Path> key = env.raw(KEY).map(Path::of);
        if (!enabled) {
            // Files that are set but unused would let one believe the link is protected.
            for (String variable : List.of(CA, CERT, KEY)) {
                if (env.raw(variable).isPresent()) {
                    env.problem(
                            variable,
                            "is set but TLS to RabbitMQ is off: set TLS_ENABLED=true or use amqps:// URLs, or unset "
                                    + variable);
                }
            }
            return DISABLED;
        }
        List<X509Certificate> trusted = PemFiles.certificates(env, CA);
        Optional<PemFiles.Identity> identity = PemFiles.identity(env, CERT, KEY);
        if (env.hasProblem(CA) || env.hasProblem(CERT) || env.hasProblem(KEY)) {
            return new TlsConfig(true, ca, cert, key, Optional.empty(), Optional.empty());
        }
        try {
            return new TlsConfig(true, ca, cert, key, identity, Optional.of(TlsContexts.forClient(trusted, identity)));
        } catch (GeneralSecurityException e) {
            env.problem(
                    ENABLED,
                    "is on but no TLS context can be built from TLS_CA_PATH, TLS_CERT_PATH and" + " TLS_KEY_PATH: "
                            + e.getClass().getSimpleName());
            return new TlsConfig(true, ca, cert, key, Optional.empty(), Optional.empty());
        }
    }

    /** The TLS context; only call when {@link #enabled()}. */
    public SSLContext sslContext() {
        return context.orElseThrow(() -> new IllegalStateException("TLS is off"));
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "TlsConfig[enabled=false]";
        }
        return "TlsConfig[enabled=true, ca=" + caPath.map(Path::toString).orElse("(JDK trust store)") + ", client="
                + identity.map(PemFiles.Identity::subject).orElse("(none)") + "]";
    }
}
