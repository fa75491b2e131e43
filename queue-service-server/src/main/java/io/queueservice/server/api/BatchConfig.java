package io.queueservice.server.api;

import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;

/**
 * Limits of {@code POST /api/v1/publish/batch}.
 *
 * @param maxMessages {@code PUBLISH_BATCH_MAX_MESSAGES}: messages in one batch, at most; more is a 400
 * @param maxBodyBytes {@code MAX_BATCH_BODY_SIZE}: the largest batch body; larger is a 413
 */
public record BatchConfig(int maxMessages, long maxBodyBytes) {

    /**
     * Reads the limits; a batch must fit among the messages that may wait for their confirm at once
     * ({@code PUBLISH_MAX_IN_FLIGHT}), or it could never be published.
     */
    public static BatchConfig from(ConfigReader r, PublishConfig publish) {
        int maxMessages = r.integer("PUBLISH_BATCH_MAX_MESSAGES", 1000, 1, 100_000);
        if (!r.hasProblem("PUBLISH_BATCH_MAX_MESSAGES") && maxMessages > publish.maxInFlight()) {
            r.problem(
                    "PUBLISH_BATCH_MAX_MESSAGES",
                    "must be at most PUBLISH_MAX_IN_FLIGHT (" + publish.maxInFlight() + ") but was " + maxMessages);
        }
        long maxBodyBytes = r.longValue("MAX_BATCH_BODY_SIZE", 10L * 1024 * 1024, 1024, 256L * 1024 * 1024);
        return new BatchConfig(maxMessages, maxBodyBytes);
    }
}
