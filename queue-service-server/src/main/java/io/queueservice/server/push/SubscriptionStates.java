package io.queueservice.server.push;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** What this instance's deliverers did, per subscription: counts, the last error, the circuit's state. */
final class SubscriptionStates {

    static final class State {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong failedAttempts = new AtomicLong();
        final AtomicLong deadLettered = new AtomicLong();
        private volatile SubscriptionView.LastError lastError;
        private volatile Supplier<CircuitBreaker.State> circuit = () -> CircuitBreaker.State.CLOSED;

        void failed(Integer httpStatus, String cause) {
            failedAttempts.incrementAndGet();
            lastError = new SubscriptionView.LastError(Instant.now().toString(), httpStatus, cause);
        }

        SubscriptionView.LastError lastError() {
            return lastError;
        }

        SubscriptionView.Counts counts() {
            return new SubscriptionView.Counts(delivered.get(), failedAttempts.get(), deadLettered.get());
        }

        void circuit(Supplier<CircuitBreaker.State> state) {
            circuit = state;
        }

        /** Open or probing (half open): the breaker holds deliveries back. */
        boolean circuitOpen() {
            CircuitBreaker.State s = circuit.get();
            return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.HALF_OPEN;
        }
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();

    State of(String subscription) {
        return states.computeIfAbsent(subscription, k -> new State());
    }

    void forget(String subscription) {
        states.remove(subscription);
    }
}
