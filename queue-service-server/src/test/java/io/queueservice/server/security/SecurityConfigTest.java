package io.queueservice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import io.queueservice.config.ConfigException;
import io.queueservice.config.ConfigReader;
import io.queueservice.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every security setting: defaults, what is accepted, and a clear message for what is not. */
class SecurityConfigTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef-distinctive";

    @TempDir
    Path dir;

    private static SecurityConfig read(Map<String, String> env) {
        return read(env, true);
    }

    private static SecurityConfig read(Map<String, String> env, boolean servesApi) {
        ConfigReader r = new ConfigReader(env);
        SecurityConfig c = SecurityConfig.from(r, servesApi);
        r.validate();
        return c;
    }

    private static List<String> problems(Map<String, String> env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> read(env));
        assertThat(e).as("a configuration error").isNotNull();
        return e.problems();
    }

    @Test
    void jwtIsTheDefaultAndWithoutAKeySourceTheApiCannotStartAndSaysWhatToSet() {
        assertThat(problems(Map.of()))
                .singleElement()
                .satisfies(p -> assertThat(p)
                        .startsWith("AUTH_MODE")
                        .contains("JWT_SECRET", "JWT_PUBLIC_KEY_PATH", "JWT_JWKS_URL", "AUTH_MODE=none"));
    }

    @Test
    void theWholeServerConfigReportsTheMissingKeyWithTheOtherProblems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServerConfig.from(Map.of("PORT", "-1")));

        assertThat(e.problems()).hasSize(2).anySatisfy(p -> assertThat(p).startsWith("AUTH_MODE"));
    }

    @Test
    void aWorkerOnlyProcessNeedsNoKeyUnlessItsMetricsAreProtected() {
        SecurityConfig c = read(Map.of(), false);
        assertThat(c.mode()).isEqualTo(SecurityConfig.AuthMode.JWT);
        assertThat(c.jwt()).isNull();

        assertThat(catchThrowableOfType(ConfigException.class, () -> read(Map.of("METRICS_AUTH", "true"), false)))
                .isNotNull();
    }

    @Test
    void noneNeedsNoKeyAndRefusesProtectedMetrics() {
        SecurityConfig c = read(Map.of("AUTH_MODE", "NONE"));
        assertThat(c.mode()).isEqualTo(SecurityConfig.AuthMode.NONE);
        assertThat(c.jwt()).isNull();
        assertThat(c.metricsAuth()).isFalse();

        assertThat(problems(Map.of("AUTH_MODE", "none", "METRICS_AUTH", "true")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("METRICS_AUTH").contains("AUTH_MODE=jwt"));
        assertThat(problems(Map.of("AUTH_MODE", "basic")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("AUTH_MODE").contains("'basic'"));
    }

    @Test
    void aSecretGivesHs256AndTheDefaults() {
        SecurityConfig c = read(Map.of("JWT_SECRET", SECRET));

        assertThat(c.jwt().keys()).isInstanceOf(KeySource.Secret.class);
        assertThat(c.jwt().algorithms()).containsExactly(JWSAlgorithm.HS256);
        assertThat(c.jwt().clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.jwt().issuer()).isEmpty();
        assertThat(c.jwt().audience()).isEmpty();
        assertThat(c.jwt().jwksCacheTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.jwt().jwksRefreshInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.metricsAuth()).isFalse();
        assertThat(c.quota().enabled()).isFalse();
    }

    @Test
    void aShortSecretIsRefusedWithoutBeingShown() {
        List<String> p = problems(Map.of("JWT_SECRET", "short-secret-xyz"));

        assertThat(p)
                .singleElement()
                .satisfies(m -> assertThat(m)
                        .startsWith("JWT_SECRET")
                        .contains("at least 32 bytes")
                        .doesNotContain("short-secret-xyz"));
    }

    @Test
    void theSecretNeverAppearsInToStringOrDescribe() {
        SecurityConfig c = read(Map.of("JWT_SECRET", SECRET));
        ServerConfig server = ServerConfig.from(Map.of("JWT_SECRET", SECRET));

        assertThat(c.toString()).doesNotContain(SECRET);
        assertThat(c.describe()).doesNotContain(SECRET).contains("HS256");
        assertThat(server.toString()).doesNotContain(SECRET);
    }

    @Test
    void exactlyOneKeySource() {
        assertThat(problems(Map.of("JWT_SECRET", SECRET, "JWT_JWKS_URL", "https://idp.example/jwks")))
                .anySatisfy(p -> assertThat(p).startsWith("JWT_SECRET").contains("JWT_JWKS_URL", "exactly one"))
                .allSatisfy(p -> assertThat(p).doesNotContain(SECRET));
    }

    @Test
    void aPublicKeyFileGivesTheAlgorithmOfItsKey() {
        Path rsa = TestTokens.writePem(dir, TestTokens.rsa(2048).getPublic());
        Path p256 = TestTokens.writePem(dir, TestTokens.ec("secp256r1").getPublic());
        Path p384 = TestTokens.writePem(dir, TestTokens.ec("secp384r1").getPublic());

        assertThat(read(Map.of("JWT_PUBLIC_KEY_PATH", rsa.toString())).jwt().algorithms())
                .containsExactly(JWSAlgorithm.RS256);
        assertThat(read(Map.of("JWT_PUBLIC_KEY_PATH", p256.toString())).jwt().algorithms())
                .containsExactly(JWSAlgorithm.ES256);
        assertThat(read(Map.of("JWT_PUBLIC_KEY_PATH", p384.toString())).jwt().algorithms())
                .containsExactly(JWSAlgorithm.ES384);
        assertThat(read(Map.of("JWT_PUBLIC_KEY_PATH", rsa.toString(), "JWT_ALGORITHMS", "RS256, ps256"))
                        .jwt()
                        .algorithms())
                .containsExactlyInAnyOrder(JWSAlgorithm.RS256, JWSAlgorithm.PS256);
    }

    @Test
    void badPublicKeyFilesAreRefusedNamingTheVariable() throws Exception {
        Path notPem = Files.writeString(dir.resolve("key.txt"), "hello");
        Path small = TestTokens.writePem(dir, TestTokens.rsa(1024).getPublic());

        assertThat(problems(
                        Map.of("JWT_PUBLIC_KEY_PATH", dir.resolve("missing.pem").toString())))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_PUBLIC_KEY_PATH").contains("missing.pem"));
        assertThat(problems(Map.of("JWT_PUBLIC_KEY_PATH", notPem.toString())))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_PUBLIC_KEY_PATH").contains("no PEM public key"));
        assertThat(problems(Map.of("JWT_PUBLIC_KEY_PATH", small.toString())))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_PUBLIC_KEY_PATH").contains("1024", "2048"));
    }

    @Test
    void algorithmsMustFitTheKeyAndNoneIsNeverAccepted() {
        Path rsa = TestTokens.writePem(dir, TestTokens.rsa(2048).getPublic());
        Path p256 = TestTokens.writePem(dir, TestTokens.ec("secp256r1").getPublic());

        assertThat(problems(Map.of("JWT_PUBLIC_KEY_PATH", rsa.toString(), "JWT_ALGORITHMS", "HS256")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_ALGORITHMS").contains("HS256"));
        assertThat(problems(Map.of("JWT_PUBLIC_KEY_PATH", p256.toString(), "JWT_ALGORITHMS", "ES384")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_ALGORITHMS").contains("P-256"));
        assertThat(problems(Map.of("JWT_SECRET", SECRET, "JWT_ALGORITHMS", "RS256")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_ALGORITHMS").contains("public key"));
        assertThat(problems(Map.of("JWT_SECRET", SECRET, "JWT_ALGORITHMS", "HS512")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_ALGORITHMS").contains("64 bytes"));
        assertThat(problems(Map.of("JWT_SECRET", SECRET, "JWT_ALGORITHMS", "none")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_ALGORITHMS").contains("never accepted"));
        assertThat(problems(Map.of("JWT_SECRET", SECRET, "JWT_ALGORITHMS", " , ")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_ALGORITHMS"));
        assertThat(problems(Map.of("JWT_JWKS_URL", "https://idp.example/jwks", "JWT_ALGORITHMS", "HS256")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_ALGORITHMS").contains("symmetric"));
    }

    @Test
    void theJwksUrlMustBeHttpsExceptOnLoopback() {
        assertThat(read(Map.of("JWT_JWKS_URL", "https://idp.example/.well-known/jwks.json"))
                        .jwt()
                        .algorithms())
                .containsExactly(JWSAlgorithm.RS256);
        assertThat(read(Map.of("JWT_JWKS_URL", "http://127.0.0.1:8080/jwks"))
                        .jwt()
                        .keys())
                .isInstanceOf(KeySource.Jwks.class);
        assertThat(read(Map.of("JWT_JWKS_URL", "http://localhost:8080/jwks"))
                        .jwt()
                        .keys())
                .isInstanceOf(KeySource.Jwks.class);

        assertThat(problems(Map.of("JWT_JWKS_URL", "http://idp.example/jwks")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_JWKS_URL").contains("https://"));
        assertThat(problems(Map.of("JWT_JWKS_URL", "https://user:jwks-pw-123@idp.example/jwks")))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("JWT_JWKS_URL").doesNotContain("jwks-pw-123"));
        assertThat(problems(Map.of("JWT_JWKS_URL", "not a url"))).hasSize(1);
    }

    @Test
    void issuerAudienceSkewAndJwksTimingsAreReadAndBounded() {
        SecurityConfig c = read(Map.of(
                "JWT_JWKS_URL", "https://idp.example/jwks",
                "JWT_ISSUER", "https://idp.example",
                "JWT_AUDIENCE", "queue-service",
                "JWT_CLOCK_SKEW", "5",
                "JWT_JWKS_CACHE_TTL", "600",
                "JWT_JWKS_REFRESH_INTERVAL", "10"));
        assertThat(c.jwt().issuer()).contains("https://idp.example");
        assertThat(c.jwt().audience()).contains("queue-service");
        assertThat(c.jwt().clockSkew()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.jwt().jwksCacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.jwt().jwksRefreshInterval()).isEqualTo(Duration.ofSeconds(10));

        Map<String, String> bad = new HashMap<>(Map.of(
                "JWT_SECRET", SECRET,
                "JWT_CLOCK_SKEW", "301",
                "JWT_JWKS_CACHE_TTL", "5",
                "JWT_JWKS_REFRESH_INTERVAL", "0",
                "METRICS_AUTH", "maybe"));
        assertThat(problems(bad))
                .hasSize(4)
                .anySatisfy(p -> assertThat(p).startsWith("JWT_CLOCK_SKEW").contains("'301'"))
                .anySatisfy(p -> assertThat(p).startsWith("JWT_JWKS_CACHE_TTL").contains("'5'"))
                .anySatisfy(p ->
                        assertThat(p).startsWith("JWT_JWKS_REFRESH_INTERVAL").contains("'0'"))
                .anySatisfy(p -> assertThat(p).startsWith("METRICS_AUTH").contains("'maybe'"));
    }

    @Test
    void theJwksRefreshIntervalMustBeShorterThanTheCacheTtl() {
        assertThat(problems(Map.of(
                        "JWT_JWKS_URL", "https://idp.example/jwks",
                        "JWT_JWKS_CACHE_TTL", "60",
                        "JWT_JWKS_REFRESH_INTERVAL", "60")))
                .singleElement()
                .satisfies(p ->
                        assertThat(p).startsWith("JWT_JWKS_REFRESH_INTERVAL").contains("JWT_JWKS_CACHE_TTL"));
    }

    @Test
    void quotasAreOffByDefaultAndTheBurstDefaultsToTheRate() {
        SecurityConfig c = read(Map.of("AUTH_MODE", "none", "RATE_LIMIT_PER_SECOND", "20"));
        assertThat(c.quota()).isEqualTo(new SecurityConfig.Quota(20, 20));
        assertThat(read(Map.of("AUTH_MODE", "none", "RATE_LIMIT_PER_SECOND", "5", "RATE_LIMIT_BURST", "50"))
                        .quota())
                .isEqualTo(new SecurityConfig.Quota(5, 50));

        assertThat(problems(Map.of("AUTH_MODE", "none", "RATE_LIMIT_PER_SECOND", "-1", "RATE_LIMIT_BURST", "0")))
                .hasSize(2)
                .anySatisfy(
                        p -> assertThat(p).startsWith("RATE_LIMIT_PER_SECOND").contains("'-1'"))
                .anySatisfy(p -> assertThat(p).startsWith("RATE_LIMIT_BURST").contains("'0'"));
    }
}
