package io.queueservice.publish;

import io.queueservice.broker.BrokerException;

/** A mandatory message that no queue would receive: the broker returned it and stored nothing. */
public final class UnroutableMessageException extends BrokerException {
    private static final long serialVersionUID = 1L;

    public UnroutableMessageException(String exchange, String routingKey) {
        super("no queue is bound to exchange '" + (exchange.isEmpty() ? "(default)" : exchange) + "' for routing key '"
                + routingKey + "'; the message was not stored");
    }
}
