package io.queueservice.server.push;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The deliverers' metrics. Labels stay bounded: {@code subscription} by {@code PUSH_MAX_SUBSCRIPTIONS} (a
 * deleted subscription's series are removed), {@code outcome} by {@link Outcome}.
 *
 * <ul>
 *   <li>{@code queue_push_deliveries_total{subscription, outcome}}: delivery attempts by outcome, and
 *       messages dead-lettered ({@code outcome="dead_lettered"});
 *   <li>{@code queue_push_delivery_seconds{subscription}}: how long the endpoint took (histogram);
 *   <li>{@code queue_push_circuit_state{subscription}}: 0 closed, 1 half open, 2 open.
 * </ul>
 */
final class PushMetrics {
    /** What became of one delivery attempt. */
    enum Outcome {
        DELIVERED,
        HTTP_ERROR,
        GONE,
        TIMEOUT,
        CONNECTION_ERROR,
        BLOCKED_ADDRESS,
        DEAD_LETTERED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
    };

    private final MeterRegistry registry;
    /** The meters of each subscription, looked up once: deliveries are counted on the hot path. */
    private final Map<String, Map<Outcome, Counter>> counters = new ConcurrentHashMap<>();

    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    PushMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void attempt(String subscription, Outcome outcome, Duration took) {
        count(subscription, outcome);
        if (outcome != Outcome.BLOCKED_ADDRESS) {
            timers.computeIfAbsent(
                            subscription,
                            s -> Timer.builder("queue.push.delivery")
                                    .description("Time an endpoint took to answer a delivery (or to fail it)")
                                    .tag("subscription", s)
                                    .serviceLevelObjectives(BUCKETS)
                                    .register(registry))
                    .record(took);
        }
    }

    void count(String subscription, Outcome outcome) {
        counter(subscription, outcome).increment();
    }

    private Counter counter(String subscription, Outcome outcome) {
        return counters.computeIfAbsent(subscription, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        o -> Counter.builder("queue.push.deliveries")
                                .description("Push delivery attempts by outcome, and messages dead-lettered")
                                .tag("subscription", subscription)
                                .tag("outcome", o.label())
                                .register(registry));
    }

    /** Reports the circuit breaker's state of a running deliverer. */
    void circuit(String subscription, Supplier<CircuitBreaker.State> state) {
        forgetCircuit(subscription);
        Gauge.builder("queue.push.circuit.state", () -> switch (state.get()) {
                    case OPEN, FORCED_OPEN -> 2;
                    case HALF_OPEN -> 1;
                    default -> 0;
                })
                .description("Circuit breaker of a push subscription: 0 closed, 1 half open, 2 open")
                .tag("subscription", subscription)
                .register(registry);
        // Make the deliveries counter exist from the start, so rate() sees its first increase.
        for (Outcome o : List.of(Outcome.DELIVERED, Outcome.HTTP_ERROR, Outcome.TIMEOUT, Outcome.CONNECTION_ERROR)) {
            counter(subscription, o);
        }
    }

    void forgetCircuit(String subscription) {
        List<Meter> gauges =
                registry.find("queue.push.circuit.state").tag("subscription", subscription).meters().stream()
                        .toList();
        gauges.forEach(registry::remove);
    }

    /** A deleted subscription: none of its series stay. */
    void forget(String subscription) {
        counters.remove(subscription);
        timers.remove(subscription);
        for (String name : List.of("queue.push.deliveries", "queue.push.delivery", "queue.push.circuit.state")) {
            registry.find(name).tag("subscription", subscription).meters().forEach(registry::remove);
        }
    }
}
