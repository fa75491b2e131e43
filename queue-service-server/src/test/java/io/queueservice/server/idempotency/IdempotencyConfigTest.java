package io.queueservice.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queueservice.config.ConfigException;
import io.queueservice.config.ConfigReader;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdempotencyConfigTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private static IdempotencyConfig read(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        IdempotencyConfig c = IdempotencyConfig.from(r, REQUEST_TIMEOUT);
        r.validate();
        return c;
    }

    @Test
    void theDefaultIsAMemoryStoreKeepingAnswersADay() {
        IdempotencyConfig c = read(Map.of());
        assertThat(c.store()).isEqualTo(new IdempotencyConfig.Memory(20_000, 8L * 1024 * 1024));
        assertThat(c.ttl()).isEqualTo(Duration.ofHours(24));
        assertThat(c.inFlightTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.storeTimeout()).isEqualTo(REQUEST_TIMEOUT);
    }

    @Test
    void aRedisUrlChoosesRedis() {
        IdempotencyConfig c = read(Map.of(
                "IDEMPOTENCY_STORE", "redis://:s3cret@cache.internal:6380/2",
                "IDEMPOTENCY_KEY_PREFIX", "orders:",
                "IDEMPOTENCY_TTL", "3600000"));
        assertThat(c.store()).isInstanceOf(IdempotencyConfig.Redis.class);
        IdempotencyConfig.Redis r = (IdempotencyConfig.Redis) c.store();
        assertThat(r.url()).isEqualTo("redis://:s3cret@cache.internal:6380/2");
        assertThat(r.keyPrefix()).isEqualTo("orders:");
        assertThat(c.ttl()).isEqualTo(Duration.ofHours(1));
        assertThat(r.displayUrl()).doesNotContain("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
        assertThat(read(Map.of("IDEMPOTENCY_STORE", "rediss://localhost")).store())
                .isInstanceOf(IdempotencyConfig.Redis.class);
    }

    @Test
    void everyBadSettingIsNamedWithItsValueAndNoPassword() {
        ConfigReader r = new ConfigReader(Map.of(
                "IDEMPOTENCY_STORE", "redis://:s3cret@cache:6379/zero",
                "IDEMPOTENCY_TTL", "0",
                "IDEMPOTENCY_MAX_KEYS", "10"));
        IdempotencyConfig.from(r, REQUEST_TIMEOUT);
        assertThatThrownBy(r::validate)
                .isInstanceOf(ConfigException.class)
                .hasMessageNotContaining("s3cret")
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p -> assertThat(p)
                                .startsWith("IDEMPOTENCY_STORE")
                                .contains("'redis://:*****@cache:6379/zero'"))
                        .anySatisfy(
                                p -> assertThat(p).startsWith("IDEMPOTENCY_TTL").contains("'0'"))
                        .anySatisfy(p ->
                                assertThat(p).startsWith("IDEMPOTENCY_MAX_KEYS").contains("memory")));
    }

    @Test
    void somethingElseThanMemoryOrRedisIsRefused() {
        ConfigReader r = new ConfigReader(Map.of("IDEMPOTENCY_STORE", "memcached://x:11211"));
        IdempotencyConfig.from(r, REQUEST_TIMEOUT);
        assertThatThrownBy(r::validate).hasMessageContaining("IDEMPOTENCY_STORE must be memory or a redis://");
        ConfigReader p = new ConfigReader(Map.of("IDEMPOTENCY_KEY_PREFIX", "x:"));
        IdempotencyConfig.from(p, REQUEST_TIMEOUT);
        assertThatThrownBy(p::validate).hasMessageContaining("IDEMPOTENCY_KEY_PREFIX is for IDEMPOTENCY_STORE=redis");
    }
}
