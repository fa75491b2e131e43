package io.queueservice.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idempotency keys in a real Redis: shared by instances, atomic, kept for their TTL, refused when Redis is away. */
class RedisIdempotencyIT {
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration IN_FLIGHT = Duration.ofSeconds(15);
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final KeyOwner OWNER = KeyOwner.subject("it");
    private static final byte[] BODY = "{\"exchange\":\"orders\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ANSWER = "{\"messageId\":\"m-1\"}".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private SharedRedis redis;
    private String prefix;

    @BeforeEach
    void connect() {
        redis = SharedRedis.connect();
        prefix = SharedRedis.uniquePrefix();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        redis.deleteKeys(prefix);
        redis.close();
    }

    /** One service instance's idempotency, on its own Redis connection. */
    private Idempotency instance(String url) {
        Idempotency i = new Idempotency(
                new RedisIdempotencyStore(url, url, prefix, TIMEOUT), TTL, IN_FLIGHT, new SimpleMeterRegistry());
        toClose.add(i);
        return i;
    }

    private Idempotency connectedInstance() {
        Idempotency i = instance(SharedRedis.url());
        await().atMost(Duration.ofSeconds(10)).until(() -> i.unavailableReason().isEmpty());
        return i;
    }

    @Test
    void theSameKeyBegunFromTwoInstancesAtOnceProceedsExactlyOnce() throws Exception {
        Idempotency first = connectedInstance();
        Idempotency second = connectedInstance();
        int keys = 200;
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<List<Decision>> a = threads.submit(() -> beginAll(first, keys, together));
            Future<List<Decision>> b = threads.submit(() -> beginAll(second, keys, together));
            List<Decision> fromFirst = a.get();
            List<Decision> fromSecond = b.get();
            int firstWon = 0;
            for (int k = 0; k < keys; k++) {
                List<Decision> pair = List.of(fromFirst.get(k), fromSecond.get(k));
                assertThat(pair)
                        .as("key %d", k)
                        .filteredOn(Decision.Proceed.class::isInstance)
                        .hasSize(1);
                assertThat(pair)
                        .as("key %d", k)
                        .filteredOn(Decision.InFlight.class::isInstance)
                        .hasSize(1);
                firstWon += fromFirst.get(k) instanceof Decision.Proceed ? 1 : 0;
            }
            System.out.printf(
                    "IDEMPOTENCY | %d keys begun from two instances at once: first won %d, second %d%n",
                    keys, firstWon, keys - firstWon);
        } finally {
            threads.shutdownNow();
        }
    }

    private static List<Decision> beginAll(Idempotency i, int keys, CyclicBarrier together) throws Exception {
        List<Decision> out = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            together.await();
            out.add(i.begin(OWNER, "race-" + k, Fingerprint.of(BODY)).join());
        }
        return out;
    }

    @Test
    void anAnswerIsReplayedByAnotherInstanceAndKeptForItsTtl() {
        Idempotency first = connectedInstance();
        Idempotency second = connectedInstance();
        String key = Idempotency.storeKey(OWNER, "k1");

        Ticket t = ((Decision.Proceed)
                        first.begin(OWNER, "k1", Fingerprint.of(BODY)).join())
                .ticket();
        long markerTtl = redis.commands().pttl(prefix + key);
        assertThat(markerTtl).isBetween(IN_FLIGHT.toMillis() - 5_000, IN_FLIGHT.toMillis());
        assertThat(second.begin(OWNER, "k1", Fingerprint.of(BODY)).join()).isInstanceOf(Decision.InFlight.class);

        assertThat(first.complete(t, 202, "application/json", ANSWER).join()).isTrue();

        assertThat(second.begin(OWNER, "k1", Fingerprint.of(BODY)).join())
                .isEqualTo(new Decision.Replay(new StoredAnswer(202, "application/json", ANSWER)));
        assertThat(second.begin(OWNER, "k1", Fingerprint.of("{}".getBytes(StandardCharsets.UTF_8)))
                        .join())
                .isInstanceOf(Decision.Mismatch.class);
        assertThat(redis.commands().pttl(prefix + key)).isBetween(TTL.toMillis() - 5_000, TTL.toMillis());
        assertThat(redis.commands().get(prefix + key))
                .contains("\"state\":\"done\"")
                .contains("\"status\":202");
    }

    @Test
    void anAnswerThatIsNotKeptFreesTheKeyAtOnce() {
        Idempotency i = connectedInstance();
        Ticket t =
                ((Decision.Proceed) i.begin(OWNER, "k2", Fingerprint.of(BODY)).join()).ticket();
        assertThat(i.complete(t, 503, "application/problem+json", ANSWER).join())
                .isTrue();
        assertThat(redis.commands().exists(prefix + Idempotency.storeKey(OWNER, "k2")))
                .isZero();
        assertThat(i.begin(OWNER, "k2", Fingerprint.of(BODY)).join()).isInstanceOf(Decision.Proceed.class);
    }

    /**
     * Redis absent at start, then up, then frozen, then killed and restarted: while it does not answer,
     * every request with a key is refused (never processed unchecked) within the store timeout, readiness
     * says why, and the store comes back by itself.
     */
    @Test
    void whileRedisDoesNotAnswerRequestsWithAKeyAreRefusedAndReadinessSaysWhy() throws Exception {
        try (PrivateRedis own = PrivateRedis.onFreePort()) {
            Idempotency i = instance(own.url());

            assertRefusedQuickly(i, "absent");
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(i.unavailableReason())
                            .get()
                            .asString()
                            .startsWith("idempotency store unavailable: cannot connect to " + own.url()));

            own.start();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> i.unavailableReason().isEmpty());
            assertThat(i.begin(OWNER, "up", Fingerprint.of(BODY)).join()).isInstanceOf(Decision.Proceed.class);

            own.pause();
            assertRefusedQuickly(i, "frozen");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() ->
                            assertThat(i.unavailableReason()).get().asString().contains("does not answer"));
            own.resume();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> i.unavailableReason().isEmpty());

            own.kill();
            assertRefusedQuickly(i, "killed");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> i.unavailableReason().isPresent());
            own.start(); // an empty Redis on the same port: Lettuce reconnects by itself
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> catchThrowable(() ->
                                    i.begin(OWNER, "back", Fingerprint.of(BODY)).join())
                            == null);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> i.unavailableReason().isEmpty());
        }
    }

    private static void assertRefusedQuickly(Idempotency i, String state) {
        long started = System.nanoTime();
        Throwable refused = catchThrowable(
                () -> i.begin(OWNER, "k-" + state, Fingerprint.of(BODY)).join());
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(refused).as("Redis %s", state).isInstanceOf(CompletionException.class);
        assertThat(refused.getCause()).isInstanceOf(IdempotencyStoreUnavailableException.class);
        assertThat(((IdempotencyStoreUnavailableException) refused.getCause()).retryAfter())
                .isPositive();
        assertThat(tookMillis)
                .as("refused within the store timeout (Redis %s)", state)
                .isLessThan(TIMEOUT.toMillis() + 1_000);
    }
}
