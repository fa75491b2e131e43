package io.queueservice.server.push;

import java.time.Duration;

/** What one delivery attempt came to; {@link AttemptClassifier} tells which. */
sealed interface Attempt {

    record Delivered(int status) implements Attempt {}

    /**
     * @param status the endpoint's status, or null when it did not answer
     * @param body the start of its answer's body (at most {@value AttemptClassifier#MAX_BODY_KEPT} characters),
     *     or ""
     * @param retryAfter what its {@code Retry-After} asked for (429 and 503 only), or null
     */
    record Failed(PushMetrics.Outcome outcome, Integer status, String cause, String body, Duration retryAfter)
            implements Attempt {}
}
