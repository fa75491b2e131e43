package io.queueservice.server.idempotency;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys in Redis (Lettuce), shared by every instance. Each key is one Redis string, {@code <prefix><store
 * key>}, holding JSON: the in-flight marker, set atomically with {@code SET NX PX} (it expires by itself if
 * its instance dies), then the final answer, which replaces the marker only while the marker is still the
 * one this request set (a Lua script), with the answer's TTL.
 *
 * <p>Redis not answering never lets a request through unchecked: commands fail fast while disconnected
 * (Lettuce rejects them instead of queueing them) or after the command timeout, and the caller answers 503.
 * Lettuce reconnects by itself; the first connection, which Lettuce does not retry, is retried here in the
 * background, so the service starts without Redis and becomes usable when it appears. A PING every few
 * seconds keeps {@link #unavailableReason()} true to what Redis does, with or without traffic.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {
    private static final Logger log = LoggerFactory.getLogger(RedisIdempotencyStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROBE_EVERY = Duration.ofSeconds(3);
    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(250);
    private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);

    /** Sets the marker unless the key exists; returns what exists (nil when the marker was set). */
    private static final String BEGIN = """
            if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
            return redis.call('GET', KEYS[1])
            """;

    /** Replaces (or, with an empty answer, deletes) the marker if it is still ours; 1 when it did. */
    private static final String COMPLETE = """
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
            return 1
            """;

    private final String displayUrl;
    private final String prefix;
    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService background;

    private volatile StatefulRedisConnection<String, String> connection;
    /** Why the last connection attempt or probe failed; null when the last one worked. */
    private volatile String lastFailure = "not connected yet";

    private volatile boolean closed;
    private Duration nextDelay = FIRST_RECONNECT_DELAY;

    /**
     * Connects in the background (the first attempt right away).
     *
     * @param url {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS
     * @param prefix the start of every key this store writes
     * @param commandTimeout longest a command may take before the request is refused
     */
    public RedisIdempotencyStore(String url, String displayUrl, String prefix, Duration commandTimeout) {
        this.displayUrl = displayUrl;
        this.prefix = prefix;
        this.uri = RedisURI.create(url);
        uri.setTimeout(commandTimeout);
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(commandTimeout)
                        .keepAlive(true)
                        .build())
                .build());
        this.background = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idempotency-redis");
            t.setDaemon(true);
            return t;
        });
        background.execute(this::connect);
        background.scheduleWithFixedDelay(
                this::probe, PROBE_EVERY.toMillis(), PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void connect() {
        if (closed || connection != null) {
            return;
        }
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((c, failure) -> {
            if (failure == null) {
                connection = c;
                lastFailure = null;
                log.info("idempotency keys are kept in Redis at {}", displayUrl);
                if (closed) {
                    c.closeAsync();
                }
                return;
            }
            lastFailure = "cannot connect to " + displayUrl + " (" + describe(failure) + ")";
            Duration delay = nextDelay;
            nextDelay = delay.multipliedBy(2).compareTo(MAX_RECONNECT_DELAY) > 0
                    ? MAX_RECONNECT_DELAY
                    : delay.multipliedBy(2);
            log.warn("idempotency store: {}; next attempt in {} ms", lastFailure, delay.toMillis());
            try {
                background.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closed
            }
        });
    }

    private void probe() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            return; // connect() reports its own failures
        }
        c.async().ping().toCompletableFuture().whenComplete((pong, failure) -> {
            String before = lastFailure;
            lastFailure = failure == null ? null : displayUrl + " does not answer (" + describe(failure) + ")";
            if (failure != null && before == null) {
                log.warn("idempotency store: {}; requests with an Idempotency-Key get 503 meanwhile", lastFailure);
            } else if (failure == null && before != null) {
                log.info("idempotency store: {} answers again", displayUrl);
            }
        });
    }

    @Override
    public CompletableFuture<Optional<Stored>> begin(String key, Stored.InFlight marker, Duration inFlightTimeout) {
        return eval(BEGIN, ScriptOutputType.VALUE, key, encode(marker), Long.toString(inFlightTimeout.toMillis()))
                .thenApply(existing -> Optional.ofNullable((String) existing).map(RedisIdempotencyStore::decode));
    }

    @Override
    public CompletableFuture<Void> complete(String key, Stored.InFlight marker, Stored.Done answer, Duration ttl) {
        return eval(
                        COMPLETE,
                        ScriptOutputType.INTEGER,
                        key,
                        encode(marker),
                        answer == null ? "" : encode(answer),
                        Long.toString(Math.max(1, ttl.toMillis())))
                .thenApply(done -> null);
    }

    private CompletableFuture<Object> eval(String script, ScriptOutputType type, String key, String... args) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            return CompletableFuture.failedFuture(new IOException(lastFailure));
        }
        try {
            return c.async()
                    .eval(script, type, new String[] {prefix + key}, args)
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Optional<String> unavailableReason() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && !c.isOpen()) {
            return Optional.of("not connected to " + displayUrl + " (reconnecting)");
        }
        return Optional.ofNullable(lastFailure);
    }

    @Override
    public String describe() {
        return "Redis at " + displayUrl + " (keys " + prefix + "*)";
    }

    @Override
    public void close() {
        closed = true;
        background.shutdownNow();
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** A failure in one line, without the connection details Lettuce adds (they may hold the URL). */
    private static String describe(Throwable failure) {
        Throwable t =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        while (t.getCause() != null
                && t.getCause() != t
                && t.getMessage() != null
                && t.getMessage().contains("://")) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null || msg.contains("://") ? "" : ": " + msg);
    }

    /** The JSON form of a stored value: readable with redis-cli. */
    record Json(String state, String token, String fingerprint, Integer status, String contentType, String body) {}

    static String encode(Stored value) {
        Json j = switch (value) {
            case Stored.InFlight f -> new Json("in-flight", f.token(), f.fingerprint(), null, null, null);
            case Stored.Done d ->
                new Json(
                        "done",
                        null,
                        d.fingerprint(),
                        d.answer().status(),
                        d.answer().contentType(),
                        Base64.getEncoder().encodeToString(d.answer().body()));
        };
        try {
            return JSON.writeValueAsString(j);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an idempotency record", e);
        }
    }

    static Stored decode(String text) {
        try {
            Json j = JSON.readValue(text, Json.class);
            return switch (j.state()) {
                case "in-flight" -> new Stored.InFlight(j.token(), j.fingerprint());
                case "done" ->
                    new Stored.Done(
                            j.fingerprint(),
                            new StoredAnswer(
                                    j.status(),
                                    j.contentType(),
                                    Base64.getDecoder().decode(j.body())));
                default -> throw new IllegalStateException("unknown state '" + j.state() + "'");
            };
        } catch (IOException | RuntimeException e) {
            // Not ours (another program's key under our prefix) or damaged: refuse rather than guess.
            throw new CompletionException(new IOException("unreadable idempotency record: " + e.getMessage(), e));
        }
    }
}
