package io.queueservice.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets per caller, on a clock the test drives. */
class QuotasTest {
    private final AtomicLong nanos = new AtomicLong();
    private final TimeMeter clock = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };

    @Test
    void aBurstPassesThenTheCallerWaitsForTheRefillWhileOthersAreUnaffected() {
        Quotas q = new Quotas(new SecurityConfig.Quota(2, 3), clock);

        assertThat(q.tryAcquire("a")).isEmpty();
        assertThat(q.tryAcquire("a")).isEmpty();
        assertThat(q.tryAcquire("a")).isEmpty();
        assertThat(q.tryAcquire("a")).contains(Duration.ofMillis(500)); // 2 per second: one every 500 ms
        assertThat(q.tryAcquire("b")).isEmpty();

        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(q.tryAcquire("a")).isEmpty();
        assertThat(q.tryAcquire("a")).isPresent();
    }

    @Test
    void manyDistinctCallersStayBounded() {
        Quotas q = new Quotas(new SecurityConfig.Quota(1, 1), clock);
        for (int i = 0; i < Quotas.MAX_CALLERS + 5_000; i++) {
            q.tryAcquire("caller-" + i);
        }

        assertThat(q.size()).isLessThanOrEqualTo(Quotas.MAX_CALLERS);
    }
}
