package io.queueservice.server.idempotency;

import java.util.Arrays;
import java.util.Objects;

/**
 * The final answer to the first request with a key, as it is replayed to the retries.
 *
 * @param status the HTTP status
 * @param contentType its {@code Content-Type}, or null when it had none
 * @param body its bytes
 */
public record StoredAnswer(int status, String contentType, byte[] body) {
    public StoredAnswer {
        Objects.requireNonNull(body, "body");
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredAnswer a
                && a.status == status
                && Objects.equals(a.contentType, contentType)
                && Arrays.equals(a.body, body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, contentType, Arrays.hashCode(body));
    }

    @Override
    public String toString() {
        return "StoredAnswer[status=" + status + ", contentType=" + contentType + ", " + body.length + " bytes]";
    }

    /** How many bytes it takes in memory, about. */
    long weight() {
        return body.length + (contentType == null ? 0 : contentType.length()) + 64;
    }
}
