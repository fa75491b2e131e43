package io.queueservice.broker;

/**
 * The broker refused the operation: an argument it does not accept ({@link #forbidden()} false), or
 * the connection's user lacks the permission ({@link #forbidden()} true).
 */
public final class OperationRefusedException extends BrokerException {
    private static final long serialVersionUID = 1L;
    private final boolean forbidden;

    public OperationRefusedException(String message, boolean forbidden) {
        super(message);
        this.forbidden = forbidden;
    }

    public boolean forbidden() {
        return forbidden;
    }
}
