package io.queueservice.server.push;

import io.queueservice.broker.AmqpNames;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.Topology;
import io.queueservice.definitions.Definition;
import io.queueservice.definitions.DefinitionsLog;
import io.queueservice.definitions.Precondition;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * Push subscriptions: what the HTTP API's routes call. Definitions live in the {@link DefinitionsLog}; each
 * change is applied here before the method returns (a read that follows sees it) and by every instance
 * within moments, whose deliverers follow it.
 *
 * <p>Methods block (DNS resolution, the broker): call them off an event loop. Failures, each for one HTTP
 * status: {@link InvalidRequestException} (400, with the fields), {@link ResourceNotFoundException} (404: no
 * such subscription, or the queue does not exist), {@link ResourceConflictException} (409: the name is taken,
 * the queue has a subscription already, too many subscriptions, a concurrent change), {@link
 * PushNotConfiguredException} (501: no {@code SUBSCRIPTIONS_KEY}), {@link
 * io.queueservice.broker.BrokerUnavailableException} (503), {@link BrokerTimeoutException} (504).
 */
public final class Subscriptions implements SubscriptionOperations {
    static final String SECRET_PREFIX = "whsec_";
    static final String MASK = "****";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "content-type",
            "content-length",
            "host",
            "connection",
            "keep-alive",
            "transfer-encoding",
            "te",
            "trailer",
            "upgrade",
            "expect",
            "traceparent",
            "tracestate");
    private static final int MAX_HEADERS = 20;
    private static final int MAX_HEADER_VALUE = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int WRITE_ATTEMPTS = 3;

    /**
     * @param defaultMaxAttempts {@code MAX_RETRIES + 1}
     * @param keyDescription what to tell a client when there is no key (never the key)
     */
    record Settings(int defaultMaxAttempts, int maxSubscriptions) {}

    private final DefinitionsLog log;
    private final Topology topology;
    private final SecretBox secrets;
    private final AddressGuard guard;
    private final SubscriptionStates states;
    private final Settings settings;

    Subscriptions(
            DefinitionsLog log,
            Topology topology,
            SecretBox secrets,
            AddressGuard guard,
            SubscriptionStates states,
            Settings settings) {
        this.log = log;
        this.topology = topology;
        this.secrets = secrets;
        this.guard = guard;
        this.states = states;
        this.settings = settings;
    }

    // --- reads

    /** Every subscription, by name. */
    @Override
    public List<SubscriptionView> list() {
        return log.definitions(Subscription.KIND).values().stream()
                .map(this::view)
                .toList();
    }

    /** @throws ResourceNotFoundException when there is none of that name */
    @Override
    public SubscriptionView get(String name) {
        return view(definition(name));
    }

    // --- writes

    /**
     * Creates a subscription.
     *
     * @return it, with its signing secret in clear (the only answer that shows it)
     */
    @Override
    public SubscriptionView create(SubscriptionRequest request) {
        requireKey();
        List<Violation> v = new ArrayList<>();
        String name = request.name();
        if (name == null || !NAME.matcher(name).matches()) {
            v.add(new Violation(
                    "name", "is required: 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit"));
        }
        if (request.queue() == null || request.queue().isBlank()) {
            v.add(new Violation("queue", "is required"));
        } else {
            AmqpNames.checkReference("queue", request.queue(), v);
        }
        v.addAll(guard.check("endpoint", request.endpoint()));
        String secret = request.secret() == null ? generateSecret() : request.secret();
        checkSecret(secret, v);
        int maxAttempts = orDefault(request.maxAttempts(), settings.defaultMaxAttempts(), "maxAttempts", 1, 101, v);
        int timeoutMs = orDefault(request.timeoutMs(), 10_000, "timeoutMs", 100, 120_000, v);
        int concurrency = orDefault(request.concurrency(), 8, "concurrency", 1, 64, v);
        Map<String, String> headers = request.headers() == null ? Map.of() : request.headers();
        checkHeaders(headers, v);
        InvalidRequestException.throwIfAny(v);

        if (log.definitions(Subscription.KIND).size() >= settings.maxSubscriptions()) {
            throw new ResourceConflictException(
                    "there are " + settings.maxSubscriptions() + " subscriptions already (PUSH_MAX_SUBSCRIPTIONS)",
                    null);
        }
        topology.queueInfo(request.queue()); // 404 when it does not exist
        checkQueueFree(request.queue(), name);
        Subscription s = new Subscription(
                name,
                request.queue(),
                URI.create(request.endpoint()),
                secrets.seal(secret, Subscription.secretContext(name)),
                maxAttempts,
                timeoutMs,
                concurrency,
                seal(name, headers),
                Optional.empty(),
                Instant.now());
        Definition d = join(log.put(Subscription.KIND, name, s.toJson(), Precondition.absent()));
        return view(d, secret);
    }

    /**
     * Changes the settings given (null fields stay as they are); a new {@code secret} replaces the old one,
     * {@code headers} replace all the static headers. The queue cannot change.
     *
     * @return the subscription, with its secret in clear when a new one was given
     */
    @Override
    public SubscriptionView update(String name, SubscriptionRequest request) {
        requireKey();
        List<Violation> v = new ArrayList<>();
        if (request.name() != null && !request.name().equals(name)) {
            v.add(new Violation("name", "cannot be changed (it is '" + name + "')"));
        }
        if (request.endpoint() != null) {
            v.addAll(guard.check("endpoint", request.endpoint()));
        }
        if (request.secret() != null) {
            checkSecret(request.secret(), v);
        }
        range(request.maxAttempts(), "maxAttempts", 1, 101, v);
        range(request.timeoutMs(), "timeoutMs", 100, 120_000, v);
        range(request.concurrency(), "concurrency", 1, 64, v);
        if (request.headers() != null) {
            checkHeaders(request.headers(), v);
        }
        InvalidRequestException.throwIfAny(v);
        Definition d = change(name, current -> {
            if (request.queue() != null && !request.queue().equals(current.queue())) {
                throw new InvalidRequestException(
                        "queue", "cannot be changed (it is '" + current.queue() + "'); create another subscription");
            }
            return new Subscription(
                    name,
                    current.queue(),
                    request.endpoint() == null ? current.endpoint() : URI.create(request.endpoint()),
                    request.secret() == null
                            ? current.sealedSecret()
                            : secrets.seal(request.secret(), Subscription.secretContext(name)),
                    request.maxAttempts() == null ? current.maxAttempts() : request.maxAttempts(),
                    request.timeoutMs() == null ? current.timeoutMs() : request.timeoutMs(),
                    request.concurrency() == null ? current.concurrency() : request.concurrency(),
                    request.headers() == null ? current.sealedHeaders() : seal(name, request.headers()),
                    current.pause(),
                    current.createdAt());
        });
        return view(d, request.secret());
    }

    /** Deletes a subscription: every instance stops delivering it (the queue and its messages stay). */
    @Override
    public void delete(String name) {
        join(log.delete(Subscription.KIND, name, Precondition.any()));
        states.forget(name);
    }

    /** Stops deliveries on every instance until {@link #resume}; messages wait in the queue. */
    @Override
    public SubscriptionView pause(String name) {
        return view(change(
                name,
                s -> s.pause().isPresent()
                        ? s
                        : s.paused(new Subscription.Pause("paused through the API", Instant.now(), false))));
    }

    /** Delivers again (also after the endpoint answered 410 Gone). */
    @Override
    public SubscriptionView resume(String name) {
        return view(change(name, Subscription::resumed));
    }

    /** The endpoint answered 410 Gone: pause, saying so, unless paused already. */
    void pauseBecauseGone(String name, String reason) {
        try {
            change(
                    name,
                    s -> s.pause().isPresent() ? s : s.paused(new Subscription.Pause(reason, Instant.now(), true)));
        } catch (BrokerException e) {
            // Deleted meanwhile, or the broker is away: the next 410 tries again.
        }
    }

    // --- helpers

    /** Read, change, write conditionally on what was read; again when another change came in between. */
    private Definition change(String name, java.util.function.UnaryOperator<Subscription> edit) {
        for (int attempt = 1; ; attempt++) {
            Definition current = definition(name);
            Subscription before = Subscription.from(current);
            Subscription after = edit.apply(before);
            if (after.equals(before)) {
                return current;
            }
            try {
                return join(
                        log.put(Subscription.KIND, name, after.toJson(), Precondition.revision(current.revision())));
            } catch (ResourceConflictException e) {
                if (attempt == WRITE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private Definition definition(String name) {
        return log.get(Subscription.KIND, name).orElseThrow(() -> new ResourceNotFoundException("subscription", name));
    }

    private void requireKey() {
        if (!secrets.canSeal()) {
            throw new PushNotConfiguredException(
                    "push subscriptions need SUBSCRIPTIONS_KEY (the base64 of 32 random bytes: openssl rand -base64"
                            + " 32) to encrypt their signing secrets; set it and restart the service");
        }
    }

    private void checkQueueFree(String queue, String name) {
        for (Definition d : log.definitions(Subscription.KIND).values()) {
            if (!d.name().equals(name) && queue.equals(d.value().path("queue").asText())) {
                throw new ResourceConflictException(
                        "queue '" + queue + "' has a subscription already ('" + d.name()
                                + "'): each message would go to one of them only",
                        null);
            }
        }
    }

    private static String generateSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    private static void checkSecret(String secret, List<Violation> v) {
        String why = null;
        if (!secret.startsWith(SECRET_PREFIX)) {
            why = "must start with whsec_";
        } else {
            try {
                int n = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())).length;
                if (n < 24 || n > 64) {
                    why = "must hold 24 to 64 bytes after whsec_ but holds " + n;
                }
            } catch (IllegalArgumentException e) {
                why = "must be whsec_ followed by base64";
            }
        }
        if (why != null) {
            v.add(new Violation("secret", why + " (leave it out to get one generated)"));
        }
    }

    private static void checkHeaders(Map<String, String> headers, List<Violation> v) {
        if (headers.size() > MAX_HEADERS) {
            v.add(new Violation("headers", "at most " + MAX_HEADERS + " headers"));
            return;
        }
        for (Map.Entry<String, String> h : headers.entrySet()) {
            String field = "headers." + h.getKey();
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (!HEADER_NAME.matcher(h.getKey()).matches()) {
                v.add(new Violation(field, "is not a valid header name"));
            } else if (RESERVED_HEADERS.contains(lower) || lower.startsWith("webhook-") || lower.startsWith("qs-")) {
                v.add(new Violation(field, "is set by the deliverer and cannot be a static header"));
            }
            String value = h.getValue();
            if (value == null) {
                v.add(new Violation(field, "needs a value"));
            } else if (value.length() > MAX_HEADER_VALUE) {
                v.add(new Violation(field, "is longer than " + MAX_HEADER_VALUE + " characters"));
            } else if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                v.add(new Violation(field, "must not contain control characters"));
            }
        }
    }

    private Map<String, String> seal(String name, Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((k, val) -> out.put(k, secrets.seal(val, Subscription.headerContext(name, k))));
        return out;
    }

    private static int orDefault(Integer given, int fallback, String field, int min, int max, List<Violation> v) {
        range(given, field, min, max, v);
        return given == null ? fallback : given;
    }

    private static void range(Integer given, String field, int min, int max, List<Violation> v) {
        if (given != null && (given < min || given > max)) {
            v.add(new Violation(field, "must be between " + min + " and " + max + " but was " + given));
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private SubscriptionView view(Definition d) {
        return view(d, null);
    }

    private SubscriptionView view(Definition d, String clearSecret) {
        Subscription s = Subscription.from(d);
        SubscriptionStates.State st = states.of(s.name());
        Map<String, String> masked = new LinkedHashMap<>();
        s.sealedHeaders().keySet().forEach(h -> masked.put(h, MASK));
        String state = s.pause().isPresent() ? "paused" : st.circuitOpen() ? "circuit-open" : "active";
        return new SubscriptionView(
                s.name(),
                s.queue(),
                s.endpoint().toString(),
                clearSecret != null ? clearSecret : SECRET_PREFIX + MASK,
                s.maxAttempts(),
                s.timeoutMs(),
                s.concurrency(),
                masked,
                state,
                s.pause().map(Subscription.Pause::reason).orElse(null),
                s.pause().map(p -> p.at().toString()).orElse(null),
                st.counts(),
                st.lastError(),
                s.createdAt().toString(),
                d.updatedAt().toString(),
                d.revision());
    }
}
