package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queueservice.server.HostileRequests.Case;
import io.queueservice.server.RawHttp.Reply;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.SharedBroker;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Scenario 7 of the fault suite: hostile input. At least 10,000 generated requests ({@link HostileRequests})
 * against every endpoint of the service, with authentication on and a token holding every scope (so bodies
 * reach parsing), and a share with broken {@code Authorization} headers. Pass: no 5xx, every 4xx a
 * problem+json body, every request answered or closed within {@link #HANG_BOUND}, the token never echoed;
 * afterwards the service is ready and serves normal traffic.
 *
 * <p>Replay: a failure prints the run's seed and the failing request numbers; {@code
 * -Dfuzz.seed=<seed>} runs the same requests again, {@code -Dfuzz.only=<n>} only request n, {@code
 * -Dfuzz.requests=<n>} sets how many. Only resources whose names start with the run's prefix are created,
 * and the test deletes those afterwards.
 */
class HostileInputIT {
    private static final String SECRET = "hostile-input-secret-of-at-least-32-bytes";
    private static final String SCOPES = "publish topology:write topology:read metrics:read";
    private static final Duration HANG_BOUND = Duration.ofSeconds(10);
    private static final int THREADS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Finding(Case request, Reply reply, String problem) {
        String describe() {
            String answer = reply.status() == 0
                    ? "(no answer)"
                    : "HTTP " + reply.status() + " "
                            + reply.header("content-type").orElse("(no content type)") + " "
                            + truncate(reply.bodyText(), 300);
            return "#" + request.index() + " [" + request.kind() + "] " + problem + "\n    sent: "
                    + request.preview().replace("\n", "\n          ") + "\n    got:  " + answer;
        }
    }

    @Test
    void hostileRequestsGetAProblemAnswerNeverA5xxOrAHang() throws InterruptedException {
        long seed = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
        int count = Integer.getInteger("fuzz.requests", 10_000);
        Integer only = Integer.getInteger("fuzz.only");
        String prefix = uniqueName("fuzz");
        String token =
                TestTokens.hs256(SECRET, TestTokens.claims("fuzzer", SCOPES).build());
        List<String> badTokens = List.of(
                TestTokens.hs256(
                        "another-secret-of-at-least-32-bytes-long",
                        TestTokens.claims("fuzzer", SCOPES).build()),
                TestTokens.hs256(
                        SECRET,
                        TestTokens.claimsWith(
                                "fuzzer",
                                SCOPES,
                                c -> c.expirationTime(Date.from(Instant.now().minusSeconds(3600))))),
                TestTokens.unsigned(TestTokens.claims("fuzzer", SCOPES).build()),
                TestTokens.hs256(SECRET, TestTokens.claims("fuzzer", null).build()),
                TestTokens.hs256(
                        SECRET, TestTokens.claims("fuzzer", "publish:elsewhere").build()));
        Set<String> created = ConcurrentHashMap.newKeySet();

        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service = RunningService.start(
                        SharedBroker.url(), Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET, "METRICS_AUTH", "true"))) {
            ApiClient api = service.api().withToken(token);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> api.get("/healthz/ready").status() == 200);
                // The queue and exchange valid publishes go to, so part of the load reaches the broker.
                String queue = prefix + "-q";
                String exchange = prefix + "-x";
                created.addAll(List.of(queue, exchange));
                assertThat(api.post("/api/v1/queues", json(Map.of("name", queue)))
                                .status())
                        .isEqualTo(201);
                assertThat(api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "fanout")))
                                .status())
                        .isEqualTo(201);
                assertThat(api.post("/api/v1/bindings", json(Map.of("queue", queue, "exchange", exchange)))
                                .status())
                        .isEqualTo(201);

                HostileRequests requests = new HostileRequests(seed, service.port(), prefix, token, badTokens);
                ConcurrentLinkedQueue<Finding> findings = new ConcurrentLinkedQueue<>();
                Map<String, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();
                long started = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                IntStream indexes = only != null ? IntStream.of(only) : IntStream.range(0, count);
                indexes.forEach(i -> pool.execute(() -> {
                    Case c = requests.request(i);
                    Reply reply = RawHttp.exchange(service.port(), c.bytes(), HANG_BOUND);
                    statuses.computeIfAbsent(c.kind(), k -> new ConcurrentHashMap<>())
                            .computeIfAbsent(reply.timedOut() ? -1 : reply.status(), k -> new AtomicInteger())
                            .incrementAndGet();
                    String problem = check(c, reply, token, prefix);
                    if (problem != null) {
                        findings.add(new Finding(c, reply, problem));
                    }
                    createdName(c, reply).ifPresent(created::add);
                }));
                pool.shutdown();
                assertThat(pool.awaitTermination(5, TimeUnit.MINUTES))
                        .as("the fuzzer finished")
                        .isTrue();
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

                Map<String, Map<Integer, AtomicInteger>> sorted = new TreeMap<>(statuses);
                System.out.println("HOSTILE-INPUT seed " + seed + ", " + (only != null ? 1 : count) + " requests in "
                        + seconds + " s, statuses by kind (-1: hang, 0: closed without answer): " + sorted);
                List<Finding> sortedFindings = new ArrayList<>(findings);
                sortedFindings.sort((a, b) ->
                        Integer.compare(a.request().index(), b.request().index()));
                assertThat(sortedFindings)
                        .as(() -> "hostile input with seed " + seed + " (replay: -Dfuzz.seed=" + seed
                                + " [-Dfuzz.only=<n>]); " + findings.size() + " finding(s), the first:\n"
                                + String.join(
                                        "\n",
                                        sortedFindings.stream()
                                                .limit(15)
                                                .map(Finding::describe)
                                                .toList()))
                        .isEmpty();

                // Healthy afterwards, and serving normal traffic.
                assertThat(api.get("/healthz/ready").status()).isEqualTo(200);
                broker.drain(queue);
                assertThat(api.publish(json(Map.of("routingKey", queue, "message", "after the storm")))
                                .status())
                        .isEqualTo(202);
                assertThat(broker.await(queue).getBody()).asString().isEqualTo("\"after the storm\"");
                String after = prefix + "-after";
                created.add(after);
                assertThat(api.post("/api/v1/queues", json(Map.of("name", after)))
                                .status())
                        .isEqualTo(201);
                assertThat(broker.queueExists(after)).isTrue();
            } finally {
                // Only what this run created: every name starts with the prefix (checked in check()).
                created.forEach(name -> {
                    broker.queue(name);
                    broker.exchange(name);
                });
            }
        }
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url())) {
            assertThat(created.stream().filter(n -> broker.queueExists(n) || broker.exchangeExists(n)))
                    .as("resources of the fuzzer left on the broker")
                    .isEmpty();
        }
    }

    /** What is wrong with the answer to a hostile request, or null. */
    private static String check(Case c, Reply reply, String token, String prefix) {
        if (reply.timedOut()) {
            return "neither answered nor closed within " + HANG_BOUND.toSeconds() + " s";
        }
        int status = reply.status();
        if (reply.bodyText().contains(token)) {
            return "the token is echoed in the answer";
        }
        if (status >= 500) {
            // The one deliberate 5xx: listing queues needs RABBITMQ_MANAGEMENT_URL, which is not set here.
            boolean notConfigured =
                    status == 501 && reply.bodyText().contains("urn:queue-service:problem:not-configured");
            if (!notConfigured) {
                return "a 5xx";
            }
        }
        if (status >= 400 && status < 600) {
            if (!reply.header("content-type").orElse("").startsWith("application/problem+json")) {
                return "an error without a problem+json content type";
            }
            if (!c.method().equals("HEAD")) {
                try {
                    JsonNode problem = JSON.readTree(reply.body());
                    if (problem == null || problem.path("status").asInt() != status) {
                        return "a problem body without the status";
                    }
                } catch (Exception e) {
                    return "a problem body that is not JSON";
                }
            }
        }
        if (status / 100 == 2) {
            String name = createdName(c, reply).orElse(null);
            if (name != null && !name.startsWith(prefix)) {
                return "created a resource outside the run's prefix: " + name;
            }
        }
        return null;
    }

    /** The name of the queue or exchange a 2xx answer says was created, if any. */
    private static Optional<String> createdName(Case c, Reply reply) {
        if (reply.status() / 100 != 2) {
            return Optional.empty();
        }
        try {
            JsonNode body = JSON.readTree(reply.body());
            if (body != null
                    && body.path("created").asBoolean(false)
                    && body.path("name").isTextual()) {
                return Optional.of(body.path("name").asText());
            }
        } catch (Exception e) {
            // not a declaration's answer
        }
        return Optional.empty();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
