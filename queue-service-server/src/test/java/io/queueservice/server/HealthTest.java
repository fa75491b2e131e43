package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void aDegradationSaysWhyWhileTheServiceStaysReady() {
        Health health = new Health(List.of(), "test");
        AtomicReference<String> why = new AtomicReference<>("idempotency store unavailable: redis down");
        health.addDegradation(() -> Optional.ofNullable(why.get()));

        assertThat(health.notReadyReason()).isEmpty();
        assertThat(health.degradedReason()).contains("idempotency store unavailable: redis down");
        why.set(null);
        assertThat(health.degradedReason()).isEmpty();
    }
}
