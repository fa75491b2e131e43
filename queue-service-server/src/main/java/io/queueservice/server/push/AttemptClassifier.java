package io.queueservice.server.push;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Tells what an attempt came to, from the endpoint's answer or from why there was none: 2xx is {@link
 * Attempt.Delivered}; any other status (3xx, which is not followed, 4xx, 5xx; 410 Gone apart), a timeout or a
 * failed connection is {@link Attempt.Failed}, with what the endpoint said and, for 429 and 503, its {@code
 * Retry-After}.
 */
final class AttemptClassifier {
    /** The most of an answer's body kept (for the dead-letter headers and the state). */
    static final int MAX_BODY_KEPT = 1000;
    /** The most of an answer's body read at all. */
    static final int MAX_BODY_READ = 1 << 20;

    private AttemptClassifier() {}

    /**
     * Reads the answer: its status, and the start of its body. A body announced as larger than {@value
     * #MAX_BODY_READ} bytes is not read (the connection is closed instead); one without a length is read
     * within the timeout.
     */
    static Future<Attempt> read(HttpClientResponse response) {
        int status = response.statusCode();
        String length = response.getHeader("content-length");
        boolean tooLarge = length != null
                && length.chars().allMatch(Character::isDigit)
                && length.length() < 19
                && Long.parseLong(length) > MAX_BODY_READ;
        Future<String> body;
        if (tooLarge) {
            response.request().reset();
            body = Future.succeededFuture("(an answer of " + length + " bytes, not read)");
        } else {
            // body() rather than a handler: the response may have ended by the time this runs.
            body = response.body().map(b -> {
                String text = b.getString(0, Math.min(b.length(), MAX_BODY_KEPT * 4), "UTF-8");
                return text.length() > MAX_BODY_KEPT ? text.substring(0, MAX_BODY_KEPT) : text;
            });
        }
        return body.map(text -> {
            if (status >= 200 && status < 300) {
                return new Attempt.Delivered(status);
            }
            Duration retryAfter = status == 429 || status == 503 ? retryAfter(response.getHeader("retry-after")) : null;
            PushMetrics.Outcome outcome = status == 410 ? PushMetrics.Outcome.GONE : PushMetrics.Outcome.HTTP_ERROR;
            String cause = "the endpoint answered HTTP " + status
                    + (status >= 300 && status < 400 ? " (redirects are not followed)" : "");
            return new Attempt.Failed(outcome, status, cause, text, retryAfter);
        });
    }

    /** No answer: a timeout (while connecting, or one the client reports), or a connection that failed. */
    static Attempt.Failed failedConnection(Throwable e) {
        String what = e instanceof ConnectException ? "cannot connect" : "connection failed";
        boolean timedOut = e instanceof io.netty.channel.ConnectTimeoutException
                || e instanceof java.util.concurrent.TimeoutException
                || String.valueOf(e.getMessage())
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains("timeout");
        if (timedOut) {
            return new Attempt.Failed(PushMetrics.Outcome.TIMEOUT, null, "timed out: " + e.getMessage(), "", null);
        }
        return new Attempt.Failed(
                PushMetrics.Outcome.CONNECTION_ERROR,
                null,
                what + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                "",
                null);
    }

    /** {@code Retry-After}: seconds, or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 86_400));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(
                        Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
