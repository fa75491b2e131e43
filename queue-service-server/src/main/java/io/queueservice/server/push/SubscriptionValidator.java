package io.queueservice.server.push;

import io.queueservice.broker.AmqpNames;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a client's {@link SubscriptionRequest} field by field, every problem at once ({@link
 * InvalidRequestException}, with the fields), and fills in the defaults of a new subscription (a generated
 * signing secret among them). Checks what the request says only; what depends on other subscriptions or on
 * the broker is {@link Subscriptions}' part.
 */
final class SubscriptionValidator {
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

    /**
     * A create request, checked, with the defaults filled in.
     *
     * @param secret in clear: the one given, or one generated
     */
    record NewSubscription(
            String secret, int maxAttempts, int timeoutMs, int concurrency, Map<String, String> headers) {}

    private final AddressGuard guard;
    private final int defaultMaxAttempts;

    /** @param defaultMaxAttempts {@code MAX_RETRIES + 1} */
    SubscriptionValidator(AddressGuard guard, int defaultMaxAttempts) {
        this.guard = guard;
        this.defaultMaxAttempts = defaultMaxAttempts;
    }

    /** @throws InvalidRequestException with every field that is wrong */
    NewSubscription create(SubscriptionRequest request) {
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
        int maxAttempts = orDefault(request.maxAttempts(), defaultMaxAttempts, "maxAttempts", 1, 101, v);
        int timeoutMs = orDefault(request.timeoutMs(), 10_000, "timeoutMs", 100, 120_000, v);
        int concurrency = orDefault(request.concurrency(), 8, "concurrency", 1, 64, v);
        Map<String, String> headers = request.headers() == null ? Map.of() : request.headers();
        checkHeaders(headers, v);
        InvalidRequestException.throwIfAny(v);
        return new NewSubscription(secret, maxAttempts, timeoutMs, concurrency, headers);
    }

    /**
     * Checks the fields an update of subscription {@code name} gives (the queue, which cannot change either,
     * is checked against the stored subscription by the caller).
     *
     * @throws InvalidRequestException with every field that is wrong
     */
    void update(String name, SubscriptionRequest request) {
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
    }

    private static String generateSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return SignedRequest.SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    private static void checkSecret(String secret, List<Violation> v) {
        String why = null;
        if (!secret.startsWith(SignedRequest.SECRET_PREFIX)) {
            why = "must start with whsec_";
        } else {
            try {
                int n = Base64.getDecoder().decode(secret.substring(SignedRequest.SECRET_PREFIX.length())).length;
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

    private static int orDefault(Integer given, int fallback, String field, int min, int max, List<Violation> v) {
        range(given, field, min, max, v);
        return given == null ? fallback : given;
    }

    private static void range(Integer given, String field, int min, int max, List<Violation> v) {
        if (given != null && (given < min || given > max)) {
            v.add(new Violation(field, "must be between " + min + " and " + max + " but was " + given));
        }
    }
}
