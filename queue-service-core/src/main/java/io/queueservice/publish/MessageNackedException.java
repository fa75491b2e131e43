package io.queueservice.publish;

import io.queueservice.broker.BrokerException;

/**
 * The broker refused to take responsibility for the message (a negative confirm), for instance because
 * a queue with {@code overflow=reject-publish} is full. Nothing was stored; the publish may be retried.
 */
public final class MessageNackedException extends BrokerException {
    private static final long serialVersionUID = 1L;

    public MessageNackedException() {
        super("the broker could not store the message (negative confirm); try again later");
    }
}
