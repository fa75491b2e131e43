package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.queueservice.server.ApiClient.Response;
import io.queueservice.server.security.KeyServer;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.SharedBroker;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attack suite, against the real service and broker configured with an RSA public key, an issuer and
 * an audience: every forged, stale, misdirected or malformed token gets 401 with a {@code WWW-Authenticate}
 * challenge, is logged with its reason and request id, and the token appears in no log line, response
 * header or body.
 */
class JwtAttackIT {
    private static final String ISSUER = "https://idp.test";
    private static final String AUDIENCE = "queue-service";

    @TempDir
    static Path dir;

    private static KeyPair serviceKeys;
    private static KeyPair attackerKeys;
    private static KeyServer attackerServer;
    private static RunningService service;
    private static BrokerProbe broker;
    private static LogCapture logs;

    @BeforeAll
    static void start() {
        serviceKeys = TestTokens.rsa(2048);
        attackerKeys = TestTokens.rsa(2048);
        attackerServer = new KeyServer();
        attackerServer.serve(new JWKSet(new RSAKey.Builder((RSAPublicKey) attackerKeys.getPublic())
                        .keyID("attacker")
                        .build())
                .toString());
        broker = new BrokerProbe(SharedBroker.url());
        service = RunningService.start(
                SharedBroker.url(),
                Map.of(
                        "AUTH_MODE",
                        "jwt",
                        "JWT_PUBLIC_KEY_PATH",
                        TestTokens.writePem(dir, serviceKeys.getPublic()).toString(),
                        "JWT_ISSUER",
                        ISSUER,
                        "JWT_AUDIENCE",
                        AUDIENCE));
        logs = new LogCapture();
    }

    @AfterAll
    static void stop() {
        logs.close();
        service.close();
        broker.close();
        attackerServer.close();
    }

    private static JWTClaimsSet.Builder good() {
        return TestTokens.claims("attacker", "publish topology:write topology:read metrics:read")
                .issuer(ISSUER)
                .audience(AUDIENCE);
    }

    private static String rs256(KeyPair keys, JWTClaimsSet claims) {
        return TestTokens.rs256(keys, null, claims);
    }

    private static String withHeaderPointingElsewhere() {
        RSAKey attackerJwk = new RSAKey.Builder((RSAPublicKey) attackerKeys.getPublic())
                .keyID("attacker")
                .build();
        return TestTokens.sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID("attacker")
                        .jwkURL(attackerServer.url("/jwks.json"))
                        .x509CertURL(attackerServer.url("/cert.pem"))
                        .jwk(attackerJwk)
                        .build(),
                good().build(),
                attackerKeys.getPrivate());
    }

    static Stream<Arguments> attacks() {
        Instant now = Instant.now();
        List<Arguments> all = List.of(
                Arguments.of("no token", (Supplier<String>) () -> null, "missing_token"),
                Arguments.of("alg none", (Supplier<String>) () -> TestTokens.unsigned(good().build()), "unsigned"),
                Arguments.of(
                        "HS256 signed with the RSA public key as secret",
                        (Supplier<String>) () -> TestTokens.sign(
                                new JWSHeader(JWSAlgorithm.HS256),
                                good().build(),
                                TestTokens.pem(serviceKeys.getPublic()).getBytes(StandardCharsets.US_ASCII)),
                        "algorithm_not_accepted"),
                Arguments.of(
                        "unknown kid, signed by another key",
                        (Supplier<String>) () -> TestTokens.rs256(attackerKeys, "unknown-kid", good().build()),
                        "bad_signature"),
                Arguments.of(
                        "jku, x5u and jwk headers pointing at the attacker's key",
                        (Supplier<String>) JwtAttackIT::withHeaderPointingElsewhere,
                        "bad_signature"),
                Arguments.of(
                        "expired",
                        (Supplier<String>) () -> rs256(
                                serviceKeys,
                                good().expirationTime(Date.from(now.minusSeconds(120)))
                                        .build()),
                        "expired"),
                Arguments.of(
                        "nbf in the future",
                        (Supplier<String>) () -> rs256(
                                serviceKeys,
                                good().notBeforeTime(Date.from(now.plusSeconds(600)))
                                        .build()),
                        "not_yet_valid"),
                Arguments.of(
                        "no exp",
                        (Supplier<String>) () ->
                                rs256(serviceKeys, good().expirationTime(null).build()),
                        "missing_claim"),
                Arguments.of(
                        "wrong iss",
                        (Supplier<String>) () -> rs256(
                                serviceKeys, good().issuer("https://evil.test").build()),
                        "wrong_issuer"),
                Arguments.of(
                        "wrong aud",
                        (Supplier<String>) () -> rs256(
                                serviceKeys, good().audience("another-service").build()),
                        "wrong_audience"),
                Arguments.of("garbage", (Supplier<String>) () -> "garbage-token-1f3a9c", "malformed"),
                Arguments.of(
                        "oversized token",
                        (Supplier<String>) () -> rs256(
                                serviceKeys,
                                good().claim("padding", "p".repeat(9000)).build()),
                        "too_large"));
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void everyBadTokenIsRefusedWith401AndLoggedWithoutTheToken(String name, Supplier<String> forge, String reason) {
        String token = forge.get();
        ApiClient api = token == null ? service.api() : service.api().withToken(token);
        logs.clear();

        Response r = api.post("/api/v1/queues", json(Map.of("name", uniqueName("attack"))));

        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:unauthorized");
        String challenge = r.header("WWW-Authenticate").orElseThrow();
        assertThat(challenge).startsWith("Bearer realm=\"queue-service\"");
        if (token == null) {
            assertThat(challenge).doesNotContain("error=");
        } else {
            assertThat(challenge).contains("error=\"invalid_token\"", "error_description=\"");
        }
        String requestId = r.header("X-Request-Id").orElseThrow();
        List<ILoggingEvent> refusal = logs.events().stream()
                .filter(e -> e.getFormattedMessage().startsWith("refused:"))
                .toList();
        assertThat(refusal).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).contains(reason);
            assertThat(e.getMDCPropertyMap()).containsEntry("requestId", requestId);
        });
        if (token != null) {
            assertThat(r.body()).doesNotContain(token);
            assertThat(r.raw().headers().map().toString()).doesNotContain(token);
            assertThat(logs.all()).doesNotContain(token);
            // not even the signature part alone
            String signature = token.substring(token.lastIndexOf('.') + 1);
            if (signature.length() > 8) {
                assertThat(logs.all()).doesNotContain(signature);
            }
        }
    }

    @Test
    void keysNamedByTheTokenItselfAreNeverFetched() {
        Response r = service.api().withToken(withHeaderPointingElsewhere()).get("/api/v1/queues/any");

        assertThat(r.status()).isEqualTo(401);
        assertThat(attackerServer.requests()).isZero();
    }

    @Test
    void aValidTokenIsAccepted() {
        String queue = broker.queue(uniqueName("attack-ok"));
        ApiClient api = service.api().withToken(rs256(serviceKeys, good().build()));

        assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                .isEqualTo(201);
        assertThat(broker.queueExists(queue)).isTrue();
    }

    @Test
    void anotherSchemeThanBearerIsAMissingToken() {
        Response r = service.api()
                .withHeader("Authorization", "Basic YWRtaW46YWRtaW4=")
                .get("/api/v1/queues/x");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).contains("Bearer realm=\"queue-service\"");
    }

    @Test
    void aHeaderBlockBeyondTheServersLimitIsACleanClientErrorNotA5xx() throws Exception {
        String huge = "Bearer " + "a".repeat(40_000);
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(service.api().base().resolve("/api/v1/queues/x"))
                            .header("Authorization", huge)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(431);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(r.body())
                    .contains("urn:queue-service:problem:headers-too-large")
                    .doesNotContain("aaaaaaaa");
        }
        // and the service goes on answering
        assertThat(service.api().get("/healthz").status()).isEqualTo(200);
    }

    @Test
    void healthStaysOpenAndMetricsAreOpenWithoutMetricsAuth() {
        assertThat(service.api().get("/healthz").status()).isEqualTo(200);
        assertThat(service.api().get("/metrics").status()).isEqualTo(200);
        assertThat(service.api().get("/metrics").body()).contains("queue_auth_rejected_total{reason=\"expired\"}");
    }
}
