package io.queueservice.server;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerConnection.State;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Liveness and readiness, from the state of the process's broker connections and of the other things the
 * process needs to serve ({@link #addReadinessCheck}: the idempotency store, say).
 */
public final class Health {
    private final List<BrokerConnection> connections;
    private final String version;
    private final List<Supplier<Optional<String>>> checks = new CopyOnWriteArrayList<>();
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

    /**
     * Adds a reason not to be ready: {@code check} says why (e.g. "idempotency store unavailable: ..."), or
     * empty when all is well. It must answer at once, from state it keeps, without waiting on anything.
     */
    public void addReadinessCheck(Supplier<Optional<String>> check) {
        checks.add(check);
    }

    /** Why the service should not get traffic now, or empty when it is ready. */
    public Optional<String> notReadyReason() {
        if (stopping) {
            return Optional.of("the service is shutting down");
        }
        if (!connections.stream().allMatch(Health::isUp)) {
            return Optional.of("not connected to RabbitMQ");
        }
        Optional<String> blocked = connections.stream()
                .filter(c -> c.state() == State.BLOCKED)
                .findFirst()
                .map(c -> "RabbitMQ is blocking publishers (" + c.blockedReason() + ")");
        if (blocked.isPresent()) {
            return blocked;
        }
        for (Supplier<Optional<String>> check : checks) {
            Optional<String> why = check.get();
            if (why.isPresent()) {
                return why;
            }
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
