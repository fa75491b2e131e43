package io.queueservice.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.Topology;
import io.queueservice.delay.DelayedDelivery;
import io.queueservice.metrics.MicrometerDelayMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.server.idempotency.Idempotency;
import java.time.Duration;
import java.util.List;

/**
 * The broker side of the HTTP API: its connections (one to publish, one for topology operations, one for the
 * delay machinery, so a broker that blocks publishers or a failing admin operation never stalls the others),
 * the topology, the publisher, delayed delivery and the idempotency keys.
 */
final class ApiGateway {
    final List<BrokerConnection> connections;
    final Topology topology;
    final ConfirmingPublisher publisher;
    final DelayedDelivery delays;
    final Idempotency idempotency;

    ApiGateway(ServerConfig config, PublishMetrics publishMetrics, MeterRegistry registry) {
        Duration timeout = config.publish().requestTimeout();
        BrokerConnection publishConnection = new BrokerConnection(config.broker(), "queue-service-publish", timeout);
        BrokerConnection adminConnection = new BrokerConnection(config.broker(), "queue-service-admin", timeout);
        BrokerConnection delayConnection = new BrokerConnection(config.broker(), "queue-service-delay", timeout);
        connections = List.of(publishConnection, adminConnection, delayConnection);
        topology = new Topology(adminConnection, config.worker().queueType());
        publisher =
                new ConfirmingPublisher(publishConnection, topology.knownExchanges(), config.publish(), publishMetrics);
        delays =
                DelayedDelivery.start(delayConnection, publisher, config.delay(), new MicrometerDelayMetrics(registry));
        idempotency = Idempotency.create(config.idempotency(), registry);
    }

    /** Connects (or starts trying to, in the background). */
    void start() {
        connections.forEach(BrokerConnection::start);
    }

    /**
     * Closes: due messages the delay machinery holds are published first, then the publisher waits for the
     * confirms of what is in flight (all within {@code drainFor}), then the rest.
     */
    void close(Duration drainFor) {
        long started = System.nanoTime();
        delays.close(drainFor);
        Duration left = drainFor.minusNanos(System.nanoTime() - started);
        publisher.drain(left.isNegative() ? Duration.ZERO : left);
        publisher.close();
        idempotency.close();
        connections.forEach(BrokerConnection::close);
    }
}
