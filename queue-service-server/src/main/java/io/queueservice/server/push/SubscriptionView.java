package io.queueservice.server.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A subscription as the API shows it: its definition (the signing secret and the header values masked,
 * except in the answer to its creation), and its state on the instance that answers.
 *
 * @param secret masked ({@code whsec_****}), or in clear in the answer to the request that created it or
 *     gave it a new one
 * @param headers the static headers, their values masked
 * @param state {@code active}, {@code paused} or {@code circuit-open} (this instance's circuit breaker
 *     stopped delivering for a while: the endpoint keeps failing)
 * @param pausedReason why it is paused (a client paused it, or the endpoint answered 410 Gone); null when not
 * @param counts this instance's deliveries since it started
 * @param lastError this instance's last failed delivery; null when none
 * @param revision changes with every change of the definition
 * @param pausedAt and {@code createdAt}, {@code updatedAt}: ISO-8601 instants (UTC)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubscriptionView(
        String name,
        String queue,
        String endpoint,
        String secret,
        int maxAttempts,
        int timeoutMs,
        int concurrency,
        Map<String, String> headers,
        String state,
        String pausedReason,
        String pausedAt,
        Counts counts,
        LastError lastError,
        String createdAt,
        String updatedAt,
        long revision) {

    /** Deliveries of one instance. */
    public record Counts(long delivered, long failedAttempts, long deadLettered) {}

    /**
     * @param httpStatus the endpoint's answer, when it answered
     * @param cause what went wrong, in words (a status, a timeout, a refused connection, ...)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LastError(String at, Integer httpStatus, String cause) {}
}
