package io.queueservice.delay;

import io.queueservice.publish.OutgoingMessage;
import java.time.Instant;

/**
 * A message made ready to wait in the delay levels.
 *
 * @param message what to publish (with {@link io.queueservice.publish.ConfirmingPublisher#publish}): the
 *     original message addressed to the delay levels, its target and due time in headers; once the broker
 *     confirmed it, it is in durable storage
 * @param messageId the original message's id (null if it had none)
 * @param deliverAt when it comes due: it is delivered to its target no earlier
 */
public record ScheduledMessage(OutgoingMessage message, String messageId, Instant deliverAt) {}
