package io.queueservice.server.push;

import java.util.Map;

/**
 * A subscription as a client asks for it ({@code POST /api/v1/subscriptions}, {@code PUT
 * /api/v1/subscriptions/{name}}). Null means "not given": a default on create, unchanged on update.
 *
 * @param endpoint the URL messages are POSTed to
 * @param secret the signing secret ({@code whsec_} + base64 of 24 to 64 bytes); generated when not given
 * @param maxAttempts deliveries tried before a message is dead-lettered (default {@code MAX_RETRIES + 1})
 * @param timeoutMs how long one delivery may take (default 10000)
 * @param concurrency deliveries in flight at once, per instance (default 8)
 * @param headers static headers added to every delivery (e.g. {@code Authorization})
 */
public record SubscriptionRequest(
        String name,
        String queue,
        String endpoint,
        String secret,
        Integer maxAttempts,
        Integer timeoutMs,
        Integer concurrency,
        Map<String, String> headers) {}
