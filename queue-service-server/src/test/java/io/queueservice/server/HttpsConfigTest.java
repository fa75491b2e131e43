package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.queueservice.config.ConfigException;
import io.queueservice.testing.TestCertificates;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code HTTPS_CERT_PATH} and {@code HTTPS_KEY_PATH}, read with the same PEM loader as the broker's TLS. */
class HttpsConfigTest {
    @TempDir
    static Path dir;

    private static TestCertificates.Issued cert;
    private static TestCertificates.Issued other;

    @BeforeAll
    static void makeCertificates() {
        TestCertificates ca = TestCertificates.newAuthority(dir, "https-unit-ca");
        cert = ca.server("api", List.of("localhost"));
        other = ca.server("other", List.of("other.example"));
    }

    /** The settings with authentication off, which is not what these tests are about. */
    private static Map<String, String> authOff(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("AUTH_MODE", "none");
        return all;
    }

    private static List<String> refused(Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServerConfig.from(authOff(env)));
        assertThat(e).as("should be refused: %s", env).isNotNull();
        return e.problems();
    }

    @Test
    void plainHttpByDefault() {
        assertThat(ServerConfig.from(authOff(Map.of())).https()).isEmpty();
    }

    @Test
    void certificateAndKeyAreLoaded() {
        ServerConfig c = ServerConfig.from(authOff(Map.of(
                "HTTPS_CERT_PATH",
                cert.certFile().toString(),
                "HTTPS_KEY_PATH",
                cert.keyFile().toString())));

        assertThat(c.https()).hasValueSatisfying(id -> assertThat(id.subject()).isEqualTo("CN=localhost"));
        assertThat(c.toString()).contains("CN=localhost").contains("key=*****");
    }

    @Test
    void aCertificateWithoutKeyIsRefused() {
        assertThat(refused(Map.of("HTTPS_CERT_PATH", cert.certFile().toString())))
                .singleElement(STRING)
                .startsWith("HTTPS_KEY_PATH")
                .contains("HTTPS_CERT_PATH");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        assertThat(refused(Map.of(
                        "HTTPS_CERT_PATH",
                        cert.certFile().toString(),
                        "HTTPS_KEY_PATH",
                        other.keyFile().toString())))
                .singleElement(STRING)
                .startsWith("HTTPS_KEY_PATH")
                .contains("is not the private key of the certificate in HTTPS_CERT_PATH");
    }

    @Test
    void aMissingFileIsRefusedNamingItsVariable() {
        String missing = dir.resolve("missing.pem").toString();

        assertThat(refused(Map.of(
                        "HTTPS_CERT_PATH",
                        missing,
                        "HTTPS_KEY_PATH",
                        cert.keyFile().toString())))
                .singleElement(STRING)
                .startsWith("HTTPS_CERT_PATH")
                .contains(missing);
    }
}
