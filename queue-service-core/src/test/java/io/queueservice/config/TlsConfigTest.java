package io.queueservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.queueservice.testing.TestCertificates;
import io.queueservice.testing.TestCertificates.KeyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** TLS settings as {@link BrokerConfig#from} reads them, with real PEM files made by a test CA. */
class TlsConfigTest {
    @TempDir
    static Path dir;

    private static TestCertificates ca;

    @BeforeAll
    static void makeCa() {
        ca = TestCertificates.newAuthority(dir, "unit-ca");
    }

    private static BrokerConfig valid(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        BrokerConfig c = BrokerConfig.from(r);
        r.validate();
        return c;
    }

    private static List<String> refused(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        BrokerConfig.from(r);
        ConfigException e = catchThrowableOfType(ConfigException.class, r::validate);
        assertThat(e).as("should be refused: %s", env).isNotNull();
        return e.problems();
    }

    private static Map<String, String> env(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    private static Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void tlsIsOffByDefault() {
        BrokerConfig c = valid(Map.of());

        assertThat(c.tls().enabled()).isFalse();
        assertThat(c.tls().context()).isEmpty();
        assertThat(c.nodes()).extracting(BrokerConfig.Node::port).containsExactly(5672);
        assertThat(c.authMechanism()).isEqualTo(BrokerConfig.AuthMechanism.PLAIN);
    }

    @Test
    void anAmqpsUrlTurnsTlsOnWithPort5671AndTheJdkTrustStore() {
        BrokerConfig c = valid(env("RABBITMQ_URL", "amqps://app:pw@rabbit/prod"));

        assertThat(c.tls().enabled()).isTrue();
        assertThat(c.tls().context()).isPresent();
        assertThat(c.tls().caPath()).isEmpty();
        assertThat(c.tls().identity()).isEmpty();
        assertThat(c.nodes()).containsExactly(new BrokerConfig.Node("rabbit", 5671));
        assertThat(c.displayUrl()).isEqualTo("amqps://app:*****@rabbit:5671/prod");
    }

    @Test
    void tlsEnabledWithAnAmqpUrlUsesTlsAndItsDefaultPort() {
        BrokerConfig c = valid(env("RABBITMQ_URL", "amqp://rabbit,amqp://rabbit2:5999", "TLS_ENABLED", "true"));

        assertThat(c.tls().enabled()).isTrue();
        assertThat(c.nodes())
                .containsExactly(new BrokerConfig.Node("rabbit", 5671), new BrokerConfig.Node("rabbit2", 5999));
    }

    @Test
    void urlsOfOneClusterMustShareTheScheme() {
        assertThat(refused(env("RABBITMQ_URL", "amqps://h1,amqp://h2")))
                .singleElement(STRING)
                .startsWith("RABBITMQ_URL 'amqp://h2'")
                .contains("amqps://");
    }

    @Test
    void aCaAndAClientCertificateAreLoaded() {
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS8);

        BrokerConfig c = valid(env(
                "RABBITMQ_URL", "amqps://rabbit",
                "TLS_CA_PATH", ca.caFile().toString(),
                "TLS_CERT_PATH", client.certFile().toString(),
                "TLS_KEY_PATH", client.keyFile().toString()));

        assertThat(c.tls().caPath()).contains(ca.caFile());
        assertThat(c.tls().identity()).hasValueSatisfying(id -> {
            assertThat(id.subject()).isEqualTo("CN=app");
            assertThat(id.key()).isEqualTo(client.key());
        });
    }

    @ParameterizedTest
    @EnumSource(KeyFormat.class)
    void keysInPkcs8AndPkcs1AreBothRead(KeyFormat format) {
        TestCertificates.Issued client = ca.client("client-" + format, "app", format);
        assertThat(Files.exists(client.keyFile())).isTrue();

        BrokerConfig c = valid(env(
                "TLS_ENABLED", "true",
                "TLS_CERT_PATH", client.certFile().toString(),
                "TLS_KEY_PATH", client.keyFile().toString()));

        assertThat(c.tls().identity())
                .hasValueSatisfying(id -> assertThat(id.key()).isEqualTo(client.key()));
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedWithoutShowingIt() throws Exception {
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS8);
        TestCertificates.Issued other = ca.client("other", "other", KeyFormat.PKCS8);

        List<String> problems = refused(env(
                "TLS_ENABLED", "true",
                "TLS_CERT_PATH", client.certFile().toString(),
                "TLS_KEY_PATH", other.keyFile().toString()));

        String keyText = Files.readString(other.keyFile());
        String keyBase64 = Base64.getEncoder().encodeToString(other.key().getEncoded());
        assertThat(problems)
                .singleElement(STRING)
                .startsWith("TLS_KEY_PATH")
                .contains(other.keyFile().toString(), "TLS_CERT_PATH", "CN=app")
                .doesNotContain(keyText.lines().skip(1).findFirst().orElseThrow())
                .doesNotContain(keyBase64.substring(0, 40));
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS8);

        assertThat(refused(env(
                        "TLS_ENABLED",
                        "true",
                        "TLS_CERT_PATH",
                        client.certFile().toString())))
                .singleElement(STRING)
                .startsWith("TLS_KEY_PATH")
                .contains("TLS_CERT_PATH");
    }

    @Test
    void aKeyWithoutItsCertificateIsRefused() {
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS8);

        assertThat(refused(env(
                        "TLS_ENABLED", "true", "TLS_KEY_PATH", client.keyFile().toString())))
                .singleElement(STRING)
                .startsWith("TLS_CERT_PATH")
                .contains("TLS_KEY_PATH");
    }

    @Test
    void aMissingCaFileIsRefusedNamingVariableAndPath() {
        String missing = dir.resolve("nope.pem").toString();

        assertThat(refused(env("TLS_ENABLED", "true", "TLS_CA_PATH", missing)))
                .singleElement(STRING)
                .startsWith("TLS_CA_PATH")
                .contains(missing);
    }

    @Test
    void aFolderIsNotAFile() {
        assertThat(refused(env("RABBITMQ_URL", "amqps://h", "TLS_CA_PATH", dir.toString())))
                .singleElement(STRING)
                .startsWith("TLS_CA_PATH")
                .contains("must name an existing file");
    }

    @Test
    void filesThatAreNotPemAreRefused() throws Exception {
        Path garbage =
                file("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        Path empty = file("empty.pem", "hello\n");
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS8);

        List<String> problems = refused(env(
                "TLS_ENABLED", "true",
                "TLS_CA_PATH", garbage.toString(),
                "TLS_CERT_PATH", client.certFile().toString(),
                "TLS_KEY_PATH", empty.toString()));

        assertThat(problems)
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).startsWith("TLS_CA_PATH").contains(garbage.toString(), "PEM"))
                .anySatisfy(p -> assertThat(p).startsWith("TLS_KEY_PATH").contains("holds no PEM private key"));
    }

    @Test
    void aKeyFileGivenAsCertificateIsRefused() {
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS8);

        assertThat(refused(env(
                        "TLS_ENABLED", "true", "TLS_CA_PATH", client.keyFile().toString())))
                .singleElement(STRING)
                .startsWith("TLS_CA_PATH")
                .contains("holds no PEM certificate");
    }

    @Test
    void filesSetWhileTlsIsOffAreRefused() {
        List<String> problems = refused(env("TLS_CA_PATH", ca.caFile().toString(), "TLS_ENABLED", "false"));

        assertThat(problems)
                .singleElement(STRING)
                .startsWith("TLS_CA_PATH")
                .contains("TLS to RabbitMQ is off", "TLS_ENABLED=true", "amqps://");
    }

    @Test
    void externalLoginNeedsAClientCertificate() {
        assertThat(refused(env("RABBITMQ_URL", "amqps://h", "RABBITMQ_AUTH_MECHANISM", "external")))
                .singleElement(STRING)
                .startsWith("RABBITMQ_AUTH_MECHANISM")
                .contains("TLS_CERT_PATH", "TLS_KEY_PATH");
    }

    @Test
    void externalLoginWithACertificateLeavesTheUserOutOfTheDisplayedUrl() {
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS1);

        BrokerConfig c = valid(env(
                "RABBITMQ_URL",
                "amqps://rabbit:5671",
                "RABBITMQ_AUTH_MECHANISM",
                "EXTERNAL",
                "TLS_CERT_PATH",
                client.certFile().toString(),
                "TLS_KEY_PATH",
                client.keyFile().toString()));

        assertThat(c.authMechanism()).isEqualTo(BrokerConfig.AuthMechanism.EXTERNAL);
        assertThat(c.displayUrl()).isEqualTo("amqps://rabbit:5671");
    }

    @Test
    void anUnknownAuthMechanismIsRefused() {
        assertThat(refused(env("RABBITMQ_AUTH_MECHANISM", "kerberos")))
                .singleElement(STRING)
                .startsWith("RABBITMQ_AUTH_MECHANISM")
                .contains("'kerberos'", "external", "plain");
    }

    @Test
    void tlsEnabledThatIsNotABooleanIsRefused() {
        assertThat(refused(env("TLS_ENABLED", "sometimes")))
                .singleElement(STRING)
                .startsWith("TLS_ENABLED")
                .contains("'sometimes'");
    }

    @Test
    void toStringShowsPathsAndSubjectButNoKey() {
        TestCertificates.Issued client = ca.client("client", "app", KeyFormat.PKCS8);

        BrokerConfig c = valid(env(
                "TLS_ENABLED", "true",
                "TLS_CA_PATH", ca.caFile().toString(),
                "TLS_CERT_PATH", client.certFile().toString(),
                "TLS_KEY_PATH", client.keyFile().toString()));

        String keyBase64 = Base64.getEncoder().encodeToString(client.key().getEncoded());
        assertThat(c.toString())
                .contains(ca.caFile().toString(), "CN=app")
                .doesNotContain(keyBase64.substring(0, 40))
                .doesNotContain("modulus")
                .doesNotContain("exponent");
    }
}
