package io.queueservice.server.idempotency;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.queueservice.validation.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotency keys, as the IETF draft {@code draft-ietf-httpapi-idempotency-key-header} describes them: the
 * first request with a key is processed and its final answer kept; a retry with the same key and body gets
 * that answer again, without being processed again.
 *
 * <pre>{@code
 * String key = Idempotency.parseKey(request.header(Idempotency.HEADER));   // 400 when malformed
 * idempotency.begin(owner, key, Fingerprint.of(body)).thenCompose(decision -> switch (decision) {
 *     case Decision.Proceed p -> process(request).thenCompose(answer ->
 *             idempotency.complete(p.ticket(), answer.status(), answer.contentType(), answer.body())
 *                     .thenApply(stored -> answer));
 *     case Decision.Replay r -> replay(r.answer());                        // with Idempotent-Replayed: true
 *     case Decision.InFlight f -> conflict(f.retryAfter());                // 409 + Retry-After
 *     case Decision.Mismatch m -> unprocessable();                         // 422
 * });
 * }</pre>
 *
 * <p>Keys belong to their {@link KeyOwner}; they live in an {@link IdempotencyStore} behind a hash of owner
 * and key. Which answers are kept: see {@link #isKept}. Thread-safe; nothing here blocks a thread.
 */
public final class Idempotency implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Idempotency.class);

    /** The request header that carries the key. */
    public static final String HEADER = "Idempotency-Key";

    /** The response header set on a replayed answer, with the value {@code true}. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    /** Longest key accepted, in characters. */
    public static final int MAX_KEY_LENGTH = 255;

    /** What a retry of a request still in flight is told to wait. */
    static final Duration RETRY_IN_FLIGHT = Duration.ofSeconds(1);

    /** What a request refused because the store does not answer is told to wait. */
    static final Duration RETRY_STORE = Duration.ofSeconds(2);

    private enum Outcome {
        PROCEED,
        REPLAY,
        MISMATCH,
        IN_FLIGHT
    }

    private final IdempotencyStore store;
    private final Duration ttl;
    private final Duration inFlightTimeout;
    private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);
    private final Counter beginErrors;
    private final Counter completeErrors;

    /**
     * @param ttl how long an answer is kept ({@code IDEMPOTENCY_TTL})
     * @param inFlightTimeout how long a request in flight holds its key at most: if its instance dies, the key
     *     is free again after it
     */
    public Idempotency(IdempotencyStore store, Duration ttl, Duration inFlightTimeout, MeterRegistry registry) {
        this.store = store;
        this.ttl = ttl;
        this.inFlightTimeout = inFlightTimeout;
        for (Outcome o : Outcome.values()) {
            outcomes.put(
                    o,
                    Counter.builder("queue.idempotency.requests")
                            .description("Requests with an Idempotency-Key, by what was done with them")
                            .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
                            .register(registry));
        }
        this.beginErrors = storeErrors(registry, "begin");
        this.completeErrors = storeErrors(registry, "complete");
    }

    /** The store {@code config} asks for, with these metrics. */
    public static Idempotency create(IdempotencyConfig config, MeterRegistry registry) {
        IdempotencyStore store = switch (config.store()) {
            case IdempotencyConfig.Memory m -> new MemoryIdempotencyStore(m.maxKeys(), m.maxBytes(), registry);
            case IdempotencyConfig.Redis r ->
                new RedisIdempotencyStore(r.url(), r.displayUrl(), r.keyPrefix(), config.storeTimeout());
        };
        log.info("idempotency keys: {}, answers kept {}", store.describe(), config.ttl());
        return new Idempotency(store, config.ttl(), config.inFlightTimeout(), registry);
    }

    private static Counter storeErrors(MeterRegistry registry, String operation) {
        return Counter.builder("queue.idempotency.store.errors")
                .description("Idempotency store operations that failed (the store did not answer)")
                .tag("operation", operation)
                .register(registry);
    }

    /**
     * The key in an {@value #HEADER} header: a Structured Field string ({@code "..."}, RFC 8941) as the draft
     * has it, or the bare text, which clients commonly send.
     *
     * @throws InvalidRequestException naming the header when the key is empty, longer than {@value
     *     #MAX_KEY_LENGTH} characters, not printable ASCII, or a malformed quoted string
     */
    public static String parseKey(String headerValue) {
        String v = headerValue == null ? "" : headerValue.strip();
        if (v.startsWith("\"")) {
            v = unquote(v);
        }
        if (v.isEmpty()) {
            throw invalid("must not be empty");
        }
        if (v.length() > MAX_KEY_LENGTH) {
            throw invalid("must be at most " + MAX_KEY_LENGTH + " characters but has " + v.length());
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw invalid("must be printable ASCII (0x20 to 0x7E); character " + (i + 1) + " is not");
            }
        }
        return v;
    }

    /** The content of an RFC 8941 sf-string: between quotes, with {@code \"} and {@code \\} as escapes. */
    private static String unquote(String quoted) {
        StringBuilder out = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (c == '\\') {
                if (i + 1 >= quoted.length() || (quoted.charAt(i + 1) != '"' && quoted.charAt(i + 1) != '\\')) {
                    throw invalid("is a quoted string with an escape other than \\\" or \\\\");
                }
                out.append(quoted.charAt(++i));
            } else if (c == '"') {
                if (i != quoted.length() - 1) {
                    throw invalid("must be one quoted string, with nothing after its closing quote");
                }
                return out.toString();
            } else {
                out.append(c);
            }
        }
        throw invalid("is a quoted string without its closing quote");
    }

    private static InvalidRequestException invalid(String why) {
        return new InvalidRequestException(HEADER, why);
    }

    /**
     * Whether an answer with this status is kept and replayed: 2xx, and the 4xx a retry would get again
     * (400, 403, 404, 413, 422). Not kept, so that a retry is processed again: 409, 429 and every 5xx (for 503
     * and 504 the outcome is unknown: the client retries with the same key and message id, and consumers
     * deduplicate by message id), and other 4xx (401: a retry may bring a valid token).
     */
    public static boolean isKept(int status) {
        return status >= 200 && status < 300
                || status == 400
                || status == 403
                || status == 404
                || status == 413
                || status == 422;
    }

    /**
     * Takes the key for this request, or says why not.
     *
     * @return a future of the {@link Decision}; failed with {@link IdempotencyStoreUnavailableException} when
     *     the store does not answer (the request must then be refused: 503)
     */
    public CompletableFuture<Decision> begin(KeyOwner owner, String key, Fingerprint fingerprint) {
        String storeKey = storeKey(owner, key);
        Stored.InFlight marker = new Stored.InFlight(UUID.randomUUID().toString(), fingerprint.hex());
        return store.begin(storeKey, marker, inFlightTimeout).handle((existing, failure) -> {
            if (failure != null) {
                beginErrors.increment();
                throw new CompletionException(new IdempotencyStoreUnavailableException(
                        "the idempotency store does not answer; the request was not processed", RETRY_STORE, failure));
            }
            Decision d = decide(existing, marker, storeKey, fingerprint);
            outcomes.get(outcomeOf(d)).increment();
            return d;
        });
    }

    private static Decision decide(
            Optional<Stored> existing, Stored.InFlight marker, String storeKey, Fingerprint fingerprint) {
        if (existing.isEmpty()) {
            return new Decision.Proceed(new Ticket(storeKey, marker));
        }
        Stored s = existing.get();
        if (!s.fingerprint().equals(fingerprint.hex())) {
            return new Decision.Mismatch();
        }
        return switch (s) {
            case Stored.InFlight f -> new Decision.InFlight(RETRY_IN_FLIGHT);
            case Stored.Done d -> new Decision.Replay(d.answer());
        };
    }

    private static Outcome outcomeOf(Decision d) {
        return switch (d) {
            case Decision.Proceed p -> Outcome.PROCEED;
            case Decision.Replay r -> Outcome.REPLAY;
            case Decision.Mismatch m -> Outcome.MISMATCH;
            case Decision.InFlight f -> Outcome.IN_FLIGHT;
        };
    }

    /**
     * Records the final answer to the request that holds {@code ticket}: kept for {@code IDEMPOTENCY_TTL} when
     * {@link #isKept} says so, else the key is freed so that a retry is processed again. Call it before sending
     * the answer, so that a retry arriving right after sees it.
     *
     * @param contentType the answer's {@code Content-Type}, or null
     * @return a future that always completes normally: true when the store took it, false when it did not
     *     answer (logged and counted; the key is then freed when its in-flight time runs out, and a retry after
     *     that is processed again)
     */
    public CompletableFuture<Boolean> complete(Ticket ticket, int status, String contentType, byte[] body) {
        Stored.Done answer = isKept(status)
                ? new Stored.Done(ticket.marker().fingerprint(), new StoredAnswer(status, contentType, body))
                : null;
        return store.complete(ticket.storeKey(), ticket.marker(), answer, ttl).handle((ok, failure) -> {
            if (failure == null) {
                return true;
            }
            completeErrors.increment();
            log.warn(
                    "cannot record an idempotent answer ({}): a retry within {} s may be answered 409, then processed"
                            + " again",
                    failure.toString(),
                    inFlightTimeout.toSeconds());
            return false;
        });
    }

    /** Frees the key without an answer to keep (the request failed before it had one): a retry is processed. */
    public CompletableFuture<Boolean> release(Ticket ticket) {
        return complete(ticket, 500, null, new byte[0]);
    }

    /** Why requests with a key cannot be served now (for readiness), or empty when they can. */
    public Optional<String> unavailableReason() {
        return store.unavailableReason().map(why -> "idempotency store unavailable: " + why);
    }

    /** Where an owner's key lives in the store: a hash, so keys of any owner and content have one shape. */
    static String storeKey(KeyOwner owner, String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(owner.value().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(key.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
