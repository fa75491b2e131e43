package io.queueservice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The body of {@code POST /api/v1/publish}.
 *
 * @param exchange "" or absent for the default exchange
 * @param routingKey "" when absent
 * @param message any JSON value; sent as its JSON text, or as the plain string when {@code
 *     options.contentType} is not JSON and the value is a string
 */
record PublishRequest(String exchange, String routingKey, RawJson message, Options options) {

    /**
     * Message properties; every field is optional.
     *
     * @param expiration milliseconds before the message expires in a queue: a non-negative integer, or a
     *     string holding one
     * @param mandatory when true (the default), a message no queue receives is an error (422) instead of
     *     being dropped
     */
    record Options(
            Boolean persistent,
            Integer priority,
            JsonNode expiration,
            Map<String, JsonNode> headers,
            String messageId,
            String correlationId,
            String contentType,
            Boolean mandatory,
            Long delay) {}

    /** {@code options.delay}: how long to wait before the message is delivered, when it is to wait. */
    Optional<Duration> delay() {
        return options == null || options.delay() == null
                ? Optional.empty()
                : Optional.of(Duration.ofMillis(options.delay()));
    }

    /**
     * The JSON path of a field the library names its own way (a message's {@code headers}, its {@code delay}):
     * those are under {@code options}.
     */
    static String jsonPath(String field) {
        return field.equals("headers") || field.startsWith("headers.") || field.equals("delay")
                ? "options." + field
                : field;
    }
}
