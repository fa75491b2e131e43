package io.queueservice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import io.queueservice.config.ConfigReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier alone: what it accepts, and the exact reason for everything it refuses. */
class TokenVerifierTest {
    private static final String SECRET = "a-test-secret-of-more-than-32-bytes-0123456789";
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static TokenVerifier verifier(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        SecurityConfig c = SecurityConfig.from(r, true);
        r.validate();
        return new TokenVerifier(c.jwt(), CLOCK);
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .subject("svc-orders")
                .expirationTime(Date.from(NOW.plusSeconds(60)))
                .claim("scope", "publish:orders topology:read");
    }

    private static String hs256(JWTClaimsSet claims) {
        return TestTokens.sign(new JWSHeader(JWSAlgorithm.HS256), claims, SECRET.getBytes(StandardCharsets.UTF_8));
    }

    private static Rejection refused(TokenVerifier v, String token) {
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class, () -> v.verify(token));
        assertThat(e).as("refused").isNotNull();
        return e.reason();
    }

    @Test
    void aValidTokenGivesItsSubjectAndScopesFromScopeAndScp() {
        TokenVerifier v = verifier(Map.of("JWT_SECRET", SECRET));
        Caller c = v.verify(hs256(claims().claim("scp", List.of("metrics:read")).build()));

        assertThat(c.subject()).isEqualTo("svc-orders");
        assertThat(c.scopes()).containsExactlyInAnyOrder("publish:orders", "topology:read", "metrics:read");
        assertThat(c.unrestricted()).isFalse();
    }

    @Test
    void aKidIsNotNeededWithOneConfiguredKey() {
        TokenVerifier v = verifier(Map.of("JWT_SECRET", SECRET));
        String token = TestTokens.sign(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("whatever").build(),
                claims().build(),
                SECRET.getBytes(StandardCharsets.UTF_8));

        assertThat(v.verify(token).subject()).isEqualTo("svc-orders");
    }

    @Test
    void timeClaimsAreCheckedWithTheClockSkew() {
        TokenVerifier v = verifier(Map.of("JWT_SECRET", SECRET, "JWT_CLOCK_SKEW", "30"));

        assertThat(v.verify(hs256(
                        claims().expirationTime(Date.from(NOW.minusSeconds(20))).build())))
                .isNotNull();
        assertThat(refused(
                        v,
                        hs256(claims().expirationTime(Date.from(NOW.minusSeconds(40)))
                                .build())))
                .isEqualTo(Rejection.EXPIRED);
        assertThat(v.verify(hs256(
                        claims().notBeforeTime(Date.from(NOW.plusSeconds(20))).build())))
                .isNotNull();
        assertThat(refused(
                        v,
                        hs256(claims().notBeforeTime(Date.from(NOW.plusSeconds(40)))
                                .build())))
                .isEqualTo(Rejection.NOT_YET_VALID);
    }

    @Test
    void expAndSubAreRequired() {
        TokenVerifier v = verifier(Map.of("JWT_SECRET", SECRET));

        assertThat(refused(v, hs256(claims().expirationTime(null).build()))).isEqualTo(Rejection.MISSING_CLAIM);
        assertThat(refused(v, hs256(claims().subject(null).build()))).isEqualTo(Rejection.MISSING_CLAIM);
    }

    @Test
    void issuerAndAudienceAreCheckedWhenConfigured() {
        TokenVerifier v = verifier(Map.of("JWT_SECRET", SECRET, "JWT_ISSUER", "https://idp", "JWT_AUDIENCE", "qs"));

        assertThat(v.verify(hs256(claims().issuer("https://idp")
                        .audience(List.of("other", "qs"))
                        .build())))
                .isNotNull();
        assertThat(refused(
                        v, hs256(claims().issuer("https://evil").audience("qs").build())))
                .isEqualTo(Rejection.WRONG_ISSUER);
        assertThat(refused(v, hs256(claims().audience("qs").build()))).isEqualTo(Rejection.WRONG_ISSUER);
        assertThat(refused(
                        v,
                        hs256(claims().issuer("https://idp").audience("other").build())))
                .isEqualTo(Rejection.WRONG_AUDIENCE);
        assertThat(refused(v, hs256(claims().issuer("https://idp").build()))).isEqualTo(Rejection.WRONG_AUDIENCE);
    }

    @Test
    void forgedAndMalformedTokensAreRefusedWithTheirReason() {
        TokenVerifier v = verifier(Map.of("JWT_SECRET", SECRET));
        String good = hs256(claims().build());
        String otherSecret = TestTokens.sign(
                new JWSHeader(JWSAlgorithm.HS256),
                claims().build(),
                "another-secret-of-more-than-32-bytes-xxxxxxxx".getBytes(StandardCharsets.UTF_8));
        String hs512 = TestTokens.sign(
                new JWSHeader(JWSAlgorithm.HS512),
                claims().build(),
                (SECRET + SECRET).getBytes(StandardCharsets.UTF_8));
        String[] parts = good.split("\\.");
        String tamperedPayload = parts[0] + "."
                + TestTokens.unsigned(claims().subject("admin").build()).split("\\.")[1] + "." + parts[2];

        assertThat(refused(v, otherSecret)).isEqualTo(Rejection.BAD_SIGNATURE);
        assertThat(refused(v, tamperedPayload)).isEqualTo(Rejection.BAD_SIGNATURE);
        assertThat(refused(v, hs512)).isEqualTo(Rejection.ALGORITHM);
        assertThat(refused(v, TestTokens.unsigned(claims().build()))).isEqualTo(Rejection.UNSIGNED);
        assertThat(refused(v, "garbage")).isEqualTo(Rejection.MALFORMED);
        assertThat(refused(v, "a.b.c")).isEqualTo(Rejection.MALFORMED);
        assertThat(refused(v, "")).isEqualTo(Rejection.MALFORMED);
        assertThat(refused(v, "x".repeat(SecurityConfig.MAX_TOKEN_BYTES + 1))).isEqualTo(Rejection.TOO_LARGE);
    }

    @Test
    void withAnRsaKeyAnHs256TokenSignedWithThePublicKeyIsRefused() throws Exception {
        KeyPair keys = TestTokens.rsa(2048);
        Path pem = TestTokens.writePem(dir, keys.getPublic());
        TokenVerifier v = verifier(Map.of("JWT_PUBLIC_KEY_PATH", pem.toString()));

        assertThat(v.verify(TestTokens.rs256(keys, null, claims().build())).subject())
                .isEqualTo("svc-orders");
        // The classic key-confusion attack: the public key's PEM text used as an HMAC secret.
        String confused = TestTokens.sign(
                new JWSHeader(JWSAlgorithm.HS256),
                claims().build(),
                TestTokens.pem(keys.getPublic()).getBytes(StandardCharsets.US_ASCII));
        assertThat(refused(v, confused)).isEqualTo(Rejection.ALGORITHM);
        assertThat(refused(v, TestTokens.rs256(TestTokens.rsa(2048), "k1", claims().build())))
                .isEqualTo(Rejection.BAD_SIGNATURE);
    }

    @Test
    void anEcKeyAcceptsEs256() {
        KeyPair keys = TestTokens.ec("secp256r1");
        TokenVerifier v = verifier(Map.of(
                "JWT_PUBLIC_KEY_PATH",
                TestTokens.writePem(dir, keys.getPublic()).toString()));

        String token = TestTokens.sign(new JWSHeader(JWSAlgorithm.ES256), claims().build(), keys.getPrivate());
        assertThat(v.verify(token).subject()).isEqualTo("svc-orders");
    }
}
