package io.queueservice.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.queueservice.definitions.Definition;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A push subscription as stored in the definitions log (kind {@value #KIND}): its secret and the values of
 * its static headers sealed by {@link SecretBox}.
 *
 * @param pause why and since when it is paused; empty while active
 */
record Subscription(
        String name,
        String queue,
        URI endpoint,
        String sealedSecret,
        int maxAttempts,
        int timeoutMs,
        int concurrency,
        Map<String, String> sealedHeaders,
        Optional<Pause> pause,
        Instant createdAt) {

    static final String KIND = "subscription";
    private static final ObjectMapper JSON = new ObjectMapper();

    Subscription {
        sealedHeaders = Map.copyOf(sealedHeaders);
    }

    /**
     * @param byEndpoint the endpoint asked for it (HTTP 410 Gone), rather than a client of the API
     */
    record Pause(String reason, Instant at, boolean byEndpoint) {}

    /** The context a sealed value is bound to, so that it opens for this subscription and field only. */
    static String secretContext(String name) {
        return "subscription:" + name + ":secret";
    }

    static String headerContext(String name, String header) {
        return "subscription:" + name + ":header:" + header.toLowerCase(java.util.Locale.ROOT);
    }

    Subscription paused(Pause p) {
        return withPause(Optional.of(p));
    }

    Subscription resumed() {
        return withPause(Optional.empty());
    }

    private Subscription withPause(Optional<Pause> pause) {
        return new Subscription(
                name,
                queue,
                endpoint,
                sealedSecret,
                maxAttempts,
                timeoutMs,
                concurrency,
                sealedHeaders,
                pause,
                createdAt);
    }

    /** Whether a deliverer must be restarted to follow the change from {@code before}. */
    boolean deliversDifferentlyFrom(Subscription before) {
        return !queue.equals(before.queue)
                || !endpoint.equals(before.endpoint)
                || !sealedSecret.equals(before.sealedSecret)
                || maxAttempts != before.maxAttempts
                || timeoutMs != before.timeoutMs
                || concurrency != before.concurrency
                || !sealedHeaders.equals(before.sealedHeaders);
    }

    ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode()
                .put("queue", queue)
                .put("endpoint", endpoint.toString())
                .put("secret", sealedSecret)
                .put("maxAttempts", maxAttempts)
                .put("timeoutMs", timeoutMs)
                .put("concurrency", concurrency)
                .put("createdAt", createdAt.toString());
        ObjectNode h = n.putObject("headers");
        sealedHeaders.forEach(h::put);
        pause.ifPresent(p -> n.putObject("pause")
                .put("reason", p.reason())
                .put("at", p.at().toString())
                .put("byEndpoint", p.byEndpoint()));
        return n;
    }

    /** @throws IllegalArgumentException when the stored JSON is not a subscription this code can read */
    static Subscription from(Definition d) {
        ObjectNode n = d.value();
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            n.path("headers")
                    .properties()
                    .forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
            JsonNode p = n.path("pause");
            Optional<Pause> pause = p.isObject()
                    ? Optional.of(new Pause(
                            p.path("reason").asText(),
                            Instant.parse(p.path("at").asText()),
                            p.path("byEndpoint").asBoolean()))
                    : Optional.empty();
            return new Subscription(
                    d.name(),
                    required(n, "queue"),
                    URI.create(required(n, "endpoint")),
                    required(n, "secret"),
                    n.path("maxAttempts").asInt(1),
                    n.path("timeoutMs").asInt(10_000),
                    n.path("concurrency").asInt(1),
                    headers,
                    pause,
                    Instant.parse(required(n, "createdAt")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("subscription '" + d.name() + "' is stored in an unreadable form: " + e);
        }
    }

    private static String required(ObjectNode n, String field) {
        String v = n.path(field).asText("");
        if (v.isEmpty()) {
            throw new IllegalArgumentException("no " + field);
        }
        return v;
    }
}
