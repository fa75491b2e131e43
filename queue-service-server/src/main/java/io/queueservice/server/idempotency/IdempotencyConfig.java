package io.queueservice.server.idempotency;

import io.lettuce.core.RedisURI;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Where idempotency keys live and for how long.
 *
 * @param ttl how long a final answer is kept ({@code IDEMPOTENCY_TTL})
 * @param inFlightTimeout how long a request in flight holds its key at most (twice {@code REQUEST_TIMEOUT}
 *     plus 5 s, so a request always finishes first; a key whose instance died is free again after it)
 * @param storeTimeout longest wait for the store before a request is refused ({@code REQUEST_TIMEOUT})
 */
public record IdempotencyConfig(Store store, Duration ttl, Duration inFlightTimeout, Duration storeTimeout) {

    /** Where keys live. */
    public sealed interface Store {}

    /**
     * In this process's memory, for a single instance ({@code IDEMPOTENCY_STORE=memory}, the default).
     *
     * @param maxKeys {@code IDEMPOTENCY_MAX_KEYS}
     * @param maxBytes {@code IDEMPOTENCY_MAX_BYTES}: answers kept, in bytes, about
     */
    public record Memory(int maxKeys, long maxBytes) implements Store {}

    /**
     * In Redis, shared by every instance ({@code IDEMPOTENCY_STORE=redis://host:port/db}).
     *
     * @param url as configured (may hold a password: never print it; see {@link #displayUrl()})
     * @param keyPrefix {@code IDEMPOTENCY_KEY_PREFIX}
     */
    public record Redis(String url, String keyPrefix) implements Store {
        /** The URL with its password masked. */
        public String displayUrl() {
            return BrokerConfig.mask(url);
        }

        @Override
        public String toString() {
            return "Redis[url=" + displayUrl() + ", keyPrefix=" + keyPrefix + "]";
        }
    }

    static final String STORE = "IDEMPOTENCY_STORE";
    static final String TTL = "IDEMPOTENCY_TTL";
    static final String MAX_KEYS = "IDEMPOTENCY_MAX_KEYS";
    static final String MAX_BYTES = "IDEMPOTENCY_MAX_BYTES";
    static final String KEY_PREFIX = "IDEMPOTENCY_KEY_PREFIX";

    static final Duration DEFAULT_TTL = Duration.ofHours(24);
    static final int DEFAULT_MAX_KEYS = 20_000;
    static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;
    static final String DEFAULT_KEY_PREFIX = "queue-service:idempotency:";

    /**
     * Reads {@code IDEMPOTENCY_STORE} ({@code memory} or a {@code redis://} / {@code rediss://} URL), {@code
     * IDEMPOTENCY_TTL} (ms), {@code IDEMPOTENCY_MAX_KEYS} and {@code IDEMPOTENCY_MAX_BYTES} (memory only),
     * {@code IDEMPOTENCY_KEY_PREFIX} (Redis only). Problems go to {@code env}, each naming its variable.
     *
     * @param requestTimeout {@code REQUEST_TIMEOUT}, which bounds how long a request is in flight
     */
    public static IdempotencyConfig from(ConfigReader env, Duration requestTimeout) {
        String where = env.string(STORE, "memory");
        Duration ttl = Duration.ofMillis(env.longValue(
                TTL, DEFAULT_TTL.toMillis(), 1_000, Duration.ofDays(30).toMillis()));
        int maxKeys = env.integer(MAX_KEYS, DEFAULT_MAX_KEYS, 1, 100_000_000);
        long maxBytes = env.longValue(MAX_BYTES, DEFAULT_MAX_BYTES, 1024 * 1024, 1024L * 1024 * 1024 * 1024);
        String prefix = env.string(KEY_PREFIX, DEFAULT_KEY_PREFIX);
        Store store;
        if (where.toLowerCase(Locale.ROOT).equals("memory")) {
            if (env.raw(KEY_PREFIX).isPresent()) {
                env.problem(KEY_PREFIX, "is for IDEMPOTENCY_STORE=redis://...; the store is memory");
            }
            store = new Memory(maxKeys, maxBytes);
        } else {
            for (String memoryOnly : new String[] {MAX_KEYS, MAX_BYTES}) {
                if (env.raw(memoryOnly).isPresent()) {
                    env.problem(
                            memoryOnly, "is for IDEMPOTENCY_STORE=memory; the store is Redis (bound its memory there)");
                }
            }
            store = redis(env, where, prefix);
        }
        Duration inFlight = requestTimeout.multipliedBy(2).plusSeconds(5);
        return new IdempotencyConfig(store, ttl, inFlight, requestTimeout);
    }

    private static Store redis(ConfigReader env, String url, String prefix) {
        String problem = null;
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                problem = "must be memory or a redis:// (rediss:// for TLS) URL";
            } else if (u.getHost() == null) {
                problem = "must name a host, as in redis://host:6379/0";
            } else if (u.getRawQuery() != null || u.getRawFragment() != null) {
                problem = "must be redis://[[user]:password@]host[:port][/database], without query or fragment";
            } else {
                RedisURI parsed = RedisURI.create(url);
                String path = u.getPath() == null ? "" : u.getPath();
                if (!path.isEmpty() && !path.matches("/\\d{1,5}")) {
                    problem = "must end with /<database number>, if anything, but has the path '" + path + "'";
                } else if (parsed.getDatabase() < 0) {
                    problem = "names a negative database";
                }
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            problem = "must be memory or a redis:// URL such as redis://localhost:6379/0";
        }
        if (problem != null) {
            env.problem(STORE, problem + " but was '" + BrokerConfig.mask(url) + "'");
            return new Memory(DEFAULT_MAX_KEYS, DEFAULT_MAX_BYTES);
        }
        return new Redis(url, prefix);
    }
}
