package io.queueservice.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryIdempotencyStoreTest {
    private static final Duration LONG = Duration.ofHours(1);
    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Stored.InFlight marker(String token) {
        return new Stored.InFlight(token, "f".repeat(64));
    }

    private static Stored.Done done(int bodyBytes) {
        return new Stored.Done("f".repeat(64), new StoredAnswer(202, "application/json", new byte[bodyBytes]));
    }

    @Test
    void pastTheKeyBoundTheOldestKeyGoesFirstAndIsCounted() {
        MemoryIdempotencyStore store = new MemoryIdempotencyStore(3, 1 << 20, registry, now::get);
        for (String k : new String[] {"a", "b", "c"}) {
            store.begin(k, marker(k), LONG).join();
            store.complete(k, marker(k), done(10), LONG).join();
        }
        // "a" is rewritten: it becomes the newest
        store.begin("d", marker("d"), LONG).join();

        assertThat(store.begin("a", marker("x"), LONG).join()).as("evicted").isEmpty();
        assertThat(store.begin("c", marker("x"), LONG).join()).isPresent();
        assertThat(store.size()).isEqualTo(3);
        assertThat(registry.get("queue.idempotency.evictions").counter().count())
                .isEqualTo(2);
        assertThat(registry.get("queue.idempotency.keys").gauge().value()).isEqualTo(3);
    }

    @Test
    void pastTheByteBoundTheOldestAnswersGo() {
        MemoryIdempotencyStore store = new MemoryIdempotencyStore(1000, 10_000, registry, now::get);
        for (int i = 0; i < 5; i++) {
            String k = "k" + i;
            store.begin(k, marker(k), LONG).join();
            store.complete(k, marker(k), done(3000), LONG).join();
        }
        assertThat(store.size()).isLessThanOrEqualTo(3);
        assertThat(store.begin("k0", marker("x"), LONG).join()).isEmpty();
        assertThat(store.begin("k4", marker("x"), LONG).join())
                .map(Stored::getClass)
                .contains(Stored.Done.class);
    }

    @Test
    void expiredKeysAreDroppedWithoutCountingAsEvictions() {
        MemoryIdempotencyStore store = new MemoryIdempotencyStore(2, 1 << 20, registry, now::get);
        store.begin("a", marker("a"), Duration.ofSeconds(1)).join();
        store.begin("b", marker("b"), Duration.ofSeconds(1)).join();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        store.begin("c", marker("c"), LONG).join();
        store.begin("d", marker("d"), LONG).join();
        assertThat(registry.get("queue.idempotency.evictions").counter().count())
                .isZero();
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void onlyTheHolderOfTheMarkerCompletesIt() {
        MemoryIdempotencyStore store = new MemoryIdempotencyStore(10, 1 << 20, registry, now::get);
        store.begin("a", marker("mine"), LONG).join();
        store.complete("a", marker("other"), null, LONG).join();
        assertThat(store.begin("a", marker("x"), LONG).join()).contains(marker("mine"));
        store.complete("a", marker("mine"), null, LONG).join();
        assertThat(store.begin("a", marker("x"), LONG).join()).isEqualTo(Optional.empty());
    }
}
