package io.queueservice.broker;

/**
 * The broker did not answer within the request timeout. For a publish this means the outcome is
 * unknown: the message may or may not be stored, so a retry may create a duplicate.
 */
public final class BrokerTimeoutException extends BrokerException {
    private static final long serialVersionUID = 1L;

    public BrokerTimeoutException(String message) {
        super(message);
    }
}
