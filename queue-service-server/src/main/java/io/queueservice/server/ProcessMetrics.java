package io.queueservice.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerConnection.State;
import io.queueservice.publish.ConfirmingPublisher;
import java.util.List;

/** Gauges of the process itself: JVM and system basics, broker connections, messages in flight. */
final class ProcessMetrics {
    private ProcessMetrics() {}

    /** JVM memory, GC, threads, classes; CPU, uptime, open files. */
    @SuppressWarnings("resource") // JvmGcMetrics lives as long as the process
    static void bindTo(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** {@code queue_broker_connected{connection}} and {@code queue_broker_blocked{connection}}, 1 or 0. */
    static void brokerConnections(MeterRegistry registry, List<BrokerConnection> connections) {
        for (BrokerConnection c : connections) {
            Gauge.builder("queue.broker.connected", c, ProcessMetrics::connected)
                    .description("1 when the connection to RabbitMQ is up")
                    .tag("connection", c.name())
                    .register(registry);
            Gauge.builder("queue.broker.blocked", c, conn -> conn.state() == State.BLOCKED ? 1 : 0)
                    .description("1 when RabbitMQ blocks the connection (memory or disk alarm)")
                    .tag("connection", c.name())
                    .register(registry);
        }
    }

    /** {@code queue_message_publish_in_flight}: messages published and not yet confirmed. */
    static void publisherInFlight(MeterRegistry registry, ConfirmingPublisher publisher) {
        Gauge.builder("queue.message.publish.in.flight", publisher, ConfirmingPublisher::inFlight)
                .description("Messages published and not yet confirmed by the broker")
                .register(registry);
    }

    private static double connected(BrokerConnection c) {
        State s = c.state();
        return s == State.CONNECTED || s == State.BLOCKED ? 1 : 0;
    }
}
