package io.queueservice.server.idempotency;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Redis integration tests use: {@code REDIS_URL} (set by failsafe and scripts/test.sh), else the local
 * one. It is shared: every test writes under a key prefix of its own and deletes only its own keys, never
 * FLUSHDB or FLUSHALL.
 */
final class SharedRedis implements AutoCloseable {
    static final String DEFAULT_URL = "redis://127.0.0.1:6379";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private SharedRedis(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
    }

    static String url() {
        String url = System.getenv("REDIS_URL");
        return url == null || url.isBlank() ? DEFAULT_URL : url.strip();
    }

    /** A plain connection to the shared Redis, failing loudly (and saying how to get one) when there is none. */
    static SharedRedis connect() {
        RedisClient client = RedisClient.create(url());
        try {
            return new SharedRedis(client, client.connect());
        } catch (RuntimeException e) {
            client.shutdown();
            throw new AssertionError(
                    "The idempotency integration tests need a Redis at " + url() + " (environment variable"
                            + " REDIS_URL, default " + DEFAULT_URL + "), but connecting failed (" + e
                            + "). To get one, run ./scripts/test.sh, which finds or starts one.",
                    e);
        }
    }

    /** {@code qs-test:<8 hex digits>:}: the keys of one test. */
    static String uniquePrefix() {
        return "qs-test:"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ":";
    }

    RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** Deletes the keys under {@code prefix}, found with SCAN. */
    void deleteKeys(String prefix) {
        RedisCommands<String, String> redis = commands();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page =
                    redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
            if (!page.getKeys().isEmpty()) {
                redis.del(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
