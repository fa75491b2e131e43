package io.queueservice.server;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerConnection.State;
import java.util.Optional;

/** Liveness and readiness, from the state of the broker connections. */
public final class Health {
    private final BrokerConnection publishConnection;
    private final BrokerConnection adminConnection;
    private final String version;
    private volatile boolean stopping;

    public Health(BrokerConnection publishConnection, BrokerConnection adminConnection, String version) {
        this.publishConnection = publishConnection;
        this.adminConnection = adminConnection;
        this.version = version;
    }

    public String version() {
        return version;
    }

    /** {@code connected} when both connections are up (blocked or not), else {@code disconnected}. */
    public String rabbitmq() {
        return isUp(publishConnection) && isUp(adminConnection) ? "connected" : "disconnected";
    }

    /** Why the service should not get traffic now, or empty when it is ready. */
    public Optional<String> notReadyReason() {
        if (stopping) {
            return Optional.of("the service is shutting down");
        }
        if (!isUp(publishConnection) || !isUp(adminConnection)) {
            return Optional.of("not connected to RabbitMQ");
        }
        if (publishConnection.state() == State.BLOCKED) {
            return Optional.of("RabbitMQ is blocking publishers (" + publishConnection.blockedReason() + ")");
        }
        return Optional.empty();
    }

    void markStopping() {
        stopping = true;
    }

    private static boolean isUp(BrokerConnection c) {
        State s = c.state();
        return s == State.CONNECTED || s == State.BLOCKED;
    }
}
