package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.SharedBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST: per token subject, 429 with Retry-After past the burst. */
class QuotaIT {
    private static final String SECRET = "quota-test-secret-of-at-least-32-bytes!!";

    @Test
    void aBurstBeyondTheLimitIsRefusedWithRetryAfterAndOtherSubjectsAreUnaffected() {
        try (RunningService service = RunningService.start(
                SharedBroker.url(),
                Map.of(
                        "AUTH_MODE", "jwt",
                        "JWT_SECRET", SECRET,
                        "RATE_LIMIT_PER_SECOND", "1",
                        "RATE_LIMIT_BURST", "3"))) {
            ApiClient greedy = service.api()
                    .withToken(TestTokens.hs256(
                            SECRET, TestTokens.claims("greedy", "topology:read").build()));
            ApiClient other = service.api()
                    .withToken(TestTokens.hs256(
                            SECRET, TestTokens.claims("other", "topology:read").build()));

            List<Response> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                answers.add(greedy.get("/api/v1/queues/quota-it-no-such-queue"));
            }

            // 404: through authentication and the quota, to a queue that does not exist.
            assertThat(answers.subList(0, 3))
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo(404));
            List<Response> refused =
                    answers.stream().filter(r -> r.status() == 429).toList();
            assertThat(refused).isNotEmpty().allSatisfy(r -> {
                assertThat(r.contentType()).startsWith("application/problem+json");
                assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:rate-limited");
                assertThat(r.header("Retry-After"))
                        .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 2L));
            });
            assertThat(other.get("/api/v1/queues/quota-it-no-such-queue").status())
                    .isEqualTo(404);
            // health is never limited
            assertThat(service.api().get("/healthz").status()).isEqualTo(200);
            assertThat(service.api().get("/metrics").body())
                    .contains("queue_auth_rejected_total{reason=\"rate_limited\"}");
        }
    }

    @Test
    void withoutAuthenticationTheQuotaIsPerClientAddress() {
        try (RunningService service = RunningService.start(
                SharedBroker.url(),
                Map.of("AUTH_MODE", "none", "RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "2"))) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                statuses.add(service.api()
                        .get("/api/v1/queues/quota-it-no-such-queue")
                        .status());
            }

            assertThat(statuses.subList(0, 2)).containsOnly(404);
            assertThat(statuses).contains(429);
        }
    }
}
