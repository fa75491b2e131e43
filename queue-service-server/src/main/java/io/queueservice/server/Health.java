package io.queueservice.server;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerConnection.State;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Liveness and readiness, from the state of the process's broker connections, and what serves only some
 * requests and is unavailable ({@link #addDegradation}: the idempotency store, say).
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
     * Adds a part that only some requests need (the idempotency store serves only requests with a key): while
     * it is unavailable the service stays ready for the others, and readiness says it is degraded and why.
     * {@code check} says why (e.g. "idempotency store unavailable: ..."), or empty when all is well; it must
     * answer at once, from state it keeps, without waiting on anything.
     */
    public void addDegradation(Supplier<Optional<String>> check) {
        checks.add(check);
    }

    /** What is unavailable that some requests need, while the service is ready for the others; empty if none. */
    public Optional<String> degradedReason() {
        for (Supplier<Optional<String>> check : checks) {
            Optional<String> why = check.get();
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
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
