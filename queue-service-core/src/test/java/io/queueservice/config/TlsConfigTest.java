package io.queueservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {
    @TempDir
    Path dir;

    private static ConfigException refused(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        TlsConfig.from(r);
        ConfigException e = catchThrowableOfType(ConfigException.class, r::validate);
        assertThat(e).as("should be refused: %s", env).isNotNull();
        return e;
    }

    private Path file(String name) throws Exception {
        return Files.writeString(dir.resolve(name), "-----BEGIN-----");
    }

    @Test
    void tlsIsOffByDefault() {
        ConfigReader r = new ConfigReader(Map.of());
        TlsConfig c = TlsConfig.from(r);
        r.validate();

        assertThat(c.enabled()).isFalse();
        assertThat(c.caPath()).isEmpty();
        assertThat(c.certPath()).isEmpty();
        assertThat(c.keyPath()).isEmpty();
    }

    @Test
    void existingFilesAreAcceptedWhileTlsIsOff() throws Exception {
        Path ca = file("ca.pem");
        Path cert = file("cert.pem");
        Path key = file("key.pem");
        ConfigReader r = new ConfigReader(
                Map.of("TLS_CA_PATH", ca.toString(), "TLS_CERT_PATH", cert.toString(), "TLS_KEY_PATH", key.toString()));
        TlsConfig c = TlsConfig.from(r);
        r.validate();

        assertThat(c.caPath()).contains(ca);
        assertThat(c.certPath()).contains(cert);
        assertThat(c.keyPath()).contains(key);
    }

    @Test
    void certWithoutKeyIsRefused() throws Exception {
        ConfigException e = refused(Map.of("TLS_CERT_PATH", file("cert.pem").toString()));

        assertThat(e.problems())
                .singleElement(STRING)
                .startsWith("TLS_KEY_PATH")
                .contains("TLS_CERT_PATH");
    }

    @Test
    void keyWithoutCertIsRefused() throws Exception {
        ConfigException e = refused(Map.of("TLS_KEY_PATH", file("key.pem").toString()));

        assertThat(e.problems())
                .singleElement(STRING)
                .startsWith("TLS_CERT_PATH")
                .contains("TLS_KEY_PATH");
    }

    @Test
    void missingCaFileIsRefused() {
        String missing = dir.resolve("nope.pem").toString();

        assertThat(refused(Map.of("TLS_CA_PATH", missing)).problems())
                .singleElement(STRING)
                .startsWith("TLS_CA_PATH")
                .contains(missing);
    }

    @Test
    void enablingTlsIsRefusedWithAClearMessage() {
        ConfigException e = refused(Map.of("TLS_ENABLED", "true"));

        assertThat(e.problems())
                .singleElement(STRING)
                .startsWith("TLS_ENABLED")
                .contains("not supported")
                .contains("false");
    }

    @Test
    void tlsEnabledThatIsNotABooleanIsRefused() {
        assertThat(refused(Map.of("TLS_ENABLED", "sometimes")).problems())
                .singleElement(STRING)
                .startsWith("TLS_ENABLED")
                .contains("'sometimes'");
    }
}
