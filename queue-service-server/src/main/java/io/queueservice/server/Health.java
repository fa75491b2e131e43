package io.queueservice.server;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerConnection.State;
import java.util.List;
import java.util.Optional;

/** Liveness and readiness, from the state of the process's broker connections. */
public final class Health {
    private final List<BrokerConnection> connections;
    private final String version;
    private volatile boolean stopping;

    public Health(List<BrokerConnection> connections, String version) {
        this.connections = List.copyOf(connections);
        this.version = version;
    }

    public String version() {
        return version;
    }

    /** {@code connected} when every connection is up (blocked or not), else {@code disconnected}. */
    public String rabbitmq() {
        return connections.stream().allMatch(Health::isUp) ? "connected" : "disconnected";
    }

    /** Why the service should not get traffic now, or empty when it is ready. */
    public Optional<String> notReadyReason() {
        if (stopping) {
            return Optional.of("the service is shutting down");
        }
        if (!connections.stream().allMatch(Health::isUp)) {
            return Optional.of("not connected to RabbitMQ");
        }
        return connections.stream()
                .filter(c -> c.state() == State.BLOCKED)
                .findFirst()
                .map(c -> "RabbitMQ is blocking publishers (" + c.blockedReason() + ")");
    }

    void markStopping() {
        stopping = true;
    }

    private static boolean isUp(BrokerConnection c) {
        State s = c.state();
        return s == State.CONNECTED || s == State.BLOCKED;
    }
}
