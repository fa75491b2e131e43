package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.queueservice.server.ApiClient.Response;
import io.queueservice.server.security.KeyServer;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.SharedBroker;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JWT_JWKS_URL against a local JWKS server: keys are fetched once and cached, a rotated-in key is found by
 * one refresh on its unknown kid, and a flood of unknown kids causes no more than the bounded refreshes.
 */
class JwksIT {
    private static final String PATH = "/.well-known/jwks.json";

    private static RSAKey jwk(KeyPair keys, String kid) {
        return new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID(kid).build();
    }

    private static Response call(RunningService service, KeyPair keys, String kid) {
        String token = TestTokens.rs256(
                keys, kid, TestTokens.claims("svc", "topology:read").build());
        // 404: authenticated, then the queue is unknown
        return service.api().withToken(token).get("/api/v1/queues/jwks-it-no-such-queue");
    }

    @Test
    void keysAreCachedRotationIsFollowedAndUnknownKidsRefreshAtABoundedRate() {
        KeyPair first = TestTokens.rsa(2048);
        KeyPair second = TestTokens.rsa(2048);
        try (KeyServer jwks = new KeyServer()) {
            jwks.serve(new JWKSet(jwk(first, "k1")).toString());
            try (RunningService service = RunningService.start(
                    SharedBroker.url(),
                    Map.of(
                            "AUTH_MODE", "jwt",
                            "JWT_JWKS_URL", jwks.url(PATH).toString(),
                            // at most two fetches per hour: the counts below are exact
                            "JWT_JWKS_REFRESH_INTERVAL", "3600",
                            "JWT_JWKS_CACHE_TTL", "7200"))) {

                assertThat(call(service, first, "k1").status()).isEqualTo(404);
                assertThat(call(service, first, "k1").status()).isEqualTo(404);
                assertThat(jwks.requests()).as("fetched once, then cached").isEqualTo(1);

                jwks.serve(new JWKSet(List.of(jwk(first, "k1"), jwk(second, "k2"))).toString());
                assertThat(call(service, second, "k2").status()).isEqualTo(404);
                assertThat(jwks.requests())
                        .as("the unknown kid k2 caused one refresh")
                        .isEqualTo(2);

                KeyPair stranger = TestTokens.rsa(2048);
                for (int i = 0; i < 20; i++) {
                    Response r = call(service, stranger, "unknown-" + i);
                    assertThat(r.status()).isEqualTo(401);
                    assertThat(r.header("WWW-Authenticate"))
                            .hasValueSatisfying(h -> assertThat(h).contains("invalid_token"));
                }
                assertThat(jwks.requests())
                        .as("unknown kids within the interval fetch nothing more")
                        .isEqualTo(2);
                // known keys still work
                assertThat(call(service, first, "k1").status()).isEqualTo(404);
                assertThat(call(service, second, "k2").status()).isEqualTo(404);
                assertThat(service.api().get("/metrics").body())
                        .contains("queue_auth_rejected_total{reason=\"unknown_key\"} 20.0");
            }
        }
    }

    @Test
    void anUnreachableJwksEndpointIs503NotAnAcceptedToken() {
        KeyPair keys = TestTokens.rsa(2048);
        String url;
        try (KeyServer jwks = new KeyServer()) {
            url = jwks.url(PATH).toString();
        } // closed: nothing answers there any more
        try (RunningService service =
                RunningService.start(SharedBroker.url(), Map.of("AUTH_MODE", "jwt", "JWT_JWKS_URL", url))) {
            Response r = call(service, keys, "k1");

            assertThat(r.status()).isEqualTo(503);
            assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:keys-unavailable");
            assertThat(r.header("Retry-After")).isPresent();

            // The next tokens, within the refresh interval: still the keys' fault, not the client's.
            Response again = call(service, keys, "k2");
            assertThat(again.status()).isEqualTo(503);
            assertThat(again.problem().type()).isEqualTo("urn:queue-service:problem:keys-unavailable");
        }
    }
}
