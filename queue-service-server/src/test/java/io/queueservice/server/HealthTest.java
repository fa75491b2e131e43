package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void aReadinessCheckSaysWhyTheServiceIsNotReadyUntilItPasses() {
        Health health = new Health(List.of(), "test");
        AtomicReference<String> why = new AtomicReference<>("idempotency store unavailable: redis down");
        health.addReadinessCheck(() -> Optional.ofNullable(why.get()));

        assertThat(health.notReadyReason()).contains("idempotency store unavailable: redis down");
        why.set(null);
        assertThat(health.notReadyReason()).isEmpty();
    }
}
