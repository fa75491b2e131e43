package io.queueservice.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A message as a handler sees it.
 *
 * @param headers the AMQP headers (string values arrive as text, see {@link #header(String)})
 * @param exchange and {@code routingKey}: where it was first published, also after retries
 * @param attempt 1 for the first delivery, 2 after one retry, ...
 * @param redelivered the broker delivered it before without an acknowledgement (a worker died or lost
 *     its connection while handling it): it may have been processed already
 */
public record Message(
        byte[] body,
        Map<String, Object> headers,
        String messageId,
        String contentType,
        String exchange,
        String routingKey,
        int attempt,
        boolean redelivered) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Message {
        headers = headers == null ? Map.of() : headers;
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The body parsed as JSON.
     *
     * @throws UncheckedIOException when it is not JSON (make that exception type permanent to dead-letter such
     *     messages at once)
     */
    public JsonNode json() {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("the message body is not JSON", e);
        }
    }

    /** The body bound to a type with Jackson. */
    public <T> T json(Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new UncheckedIOException("the message body is not JSON of the expected shape", e);
        }
    }

    /** A header as text, or null when absent (AMQP long strings arrive as bytes, not String). */
    public String header(String name) {
        Object v = headers.get(name);
        return v == null ? null : v.toString();
    }
}
