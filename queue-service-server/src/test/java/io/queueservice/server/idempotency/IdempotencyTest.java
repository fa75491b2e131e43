package io.queueservice.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The semantics of idempotency keys, over the memory store with a clock the test moves. */
class IdempotencyTest {
    private static final Duration TTL = Duration.ofHours(24);
    private static final Duration IN_FLIGHT = Duration.ofSeconds(15);
    private static final KeyOwner ALICE = KeyOwner.subject("alice");
    private static final byte[] BODY = "{\"exchange\":\"orders\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ANSWER =
            "{\"status\":\"published\",\"messageId\":\"m-1\"}".getBytes(StandardCharsets.UTF_8);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MemoryIdempotencyStore store = new MemoryIdempotencyStore(1000, 1 << 20, registry, now::get);
    private final Idempotency idempotency = new Idempotency(store, TTL, IN_FLIGHT, registry);

    private Decision begin(KeyOwner owner, String key, byte[] body) {
        return idempotency.begin(owner, key, Fingerprint.of(body)).join();
    }

    private Ticket proceed(KeyOwner owner, String key, byte[] body) {
        Decision d = begin(owner, key, body);
        assertThat(d).isInstanceOf(Decision.Proceed.class);
        return ((Decision.Proceed) d).ticket();
    }

    @Test
    void theFirstRequestProceedsAndARetryWithTheSameBodyGetsItsAnswerAgain() {
        Ticket t = proceed(ALICE, "k1", BODY);
        assertThat(idempotency.complete(t, 202, "application/json", ANSWER).join())
                .isTrue();

        Decision again = begin(ALICE, "k1", BODY.clone());

        assertThat(again).isEqualTo(new Decision.Replay(new StoredAnswer(202, "application/json", ANSWER)));
        assertThat(count("replay")).isEqualTo(1);
        assertThat(count("proceed")).isEqualTo(1);
    }

    @Test
    void theSameKeyWithAnotherBodyIsAMismatch() {
        Ticket t = proceed(ALICE, "k1", BODY);
        assertThat(begin(ALICE, "k1", "{}".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decision.Mismatch.class);
        idempotency.complete(t, 202, "application/json", ANSWER).join();
        assertThat(begin(ALICE, "k1", "{}".getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decision.Mismatch.class);
        assertThat(count("mismatch")).isEqualTo(2);
    }

    @Test
    void theSameKeyWhileTheFirstIsInFlightIsToldToRetryLater() {
        proceed(ALICE, "k1", BODY);
        assertThat(begin(ALICE, "k1", BODY)).isEqualTo(new Decision.InFlight(Duration.ofSeconds(1)));
        assertThat(count("in_flight")).isEqualTo(1);
    }

    @Test
    void keysOfOneCallerAreNotSeenByAnother() {
        Ticket t = proceed(ALICE, "k1", BODY);
        idempotency.complete(t, 202, "application/json", ANSWER).join();
        assertThat(begin(KeyOwner.subject("bob"), "k1", BODY)).isInstanceOf(Decision.Proceed.class);
        assertThat(begin(KeyOwner.clientAddress("alice"), "k1", BODY)).isInstanceOf(Decision.Proceed.class);
    }

    @Test
    void answersARetryWouldRepeatAreKeptOthersFreeTheKey() {
        for (int status : new int[] {200, 202, 204, 400, 403, 404, 413, 422}) {
            Ticket t = proceed(ALICE, "kept-" + status, BODY);
            idempotency.complete(t, status, "application/problem+json", ANSWER).join();
            assertThat(begin(ALICE, "kept-" + status, BODY))
                    .as("status %d", status)
                    .isInstanceOf(Decision.Replay.class);
        }
        for (int status : new int[] {401, 409, 429, 500, 503, 504}) {
            Ticket t = proceed(ALICE, "free-" + status, BODY);
            idempotency.complete(t, status, "application/problem+json", ANSWER).join();
            assertThat(begin(ALICE, "free-" + status, BODY))
                    .as("status %d", status)
                    .isInstanceOf(Decision.Proceed.class);
        }
        Ticket t = proceed(ALICE, "released", BODY);
        idempotency.release(t).join();
        assertThat(begin(ALICE, "released", BODY)).isInstanceOf(Decision.Proceed.class);
    }

    @Test
    void anAnswerIsKeptForTheTtlThenTheKeyIsNew() {
        Ticket t = proceed(ALICE, "k1", BODY);
        idempotency.complete(t, 202, "application/json", ANSWER).join();
        now.addAndGet(TTL.minusSeconds(1).toNanos());
        assertThat(begin(ALICE, "k1", BODY)).isInstanceOf(Decision.Replay.class);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(begin(ALICE, "k1", BODY)).isInstanceOf(Decision.Proceed.class);
    }

    /** An instance that dies mid-request leaves its marker, which frees the key after the in-flight timeout. */
    @Test
    void aMarkerLeftByADeadRequestExpiresAndItsLateAnswerDoesNotOverwriteTheNextOne() {
        Ticket dead = proceed(ALICE, "k1", BODY);
        now.addAndGet(IN_FLIGHT.toNanos());
        Ticket next = proceed(ALICE, "k1", BODY);

        idempotency
                .complete(dead, 202, "application/json", "{\"late\":true}".getBytes(StandardCharsets.UTF_8))
                .join();
        assertThat(begin(ALICE, "k1", BODY)).isInstanceOf(Decision.InFlight.class);
        idempotency.complete(next, 202, "application/json", ANSWER).join();
        assertThat(begin(ALICE, "k1", BODY))
                .isEqualTo(new Decision.Replay(new StoredAnswer(202, "application/json", ANSWER)));
    }

    @Test
    void theMemoryStoreIsNeverUnavailable() {
        assertThat(idempotency.unavailableReason()).isEmpty();
    }

    private double count(String outcome) {
        return registry.get("queue.idempotency.requests")
                .tag("outcome", outcome)
                .counter()
                .count();
    }
}
