package io.queueservice.server.api;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.Topology;
import io.queueservice.metrics.MicrometerPublishMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.schemas.MemorySchemaStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The real HTTP API (Vert.x, the JSON reader, the problem mapper) in front of broker connections that are
 * never started: {@code RABBITMQ_URL} names a closed port and nothing connects. For tests of everything
 * that must be answered without the broker, and of how its absence is told.
 */
final class OfflineApi implements AutoCloseable {
    /** The version {@code /healthz} reports. */
    static final String VERSION = "9.9.9-test";

    final ApiServer app;
    private final BrokerConnection publishConnection;
    private final BrokerConnection adminConnection;
    private final ConfirmingPublisher publisher;

    private OfflineApi(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(settings);
        env.putIfAbsent("AUTH_MODE", "none");
        env.put("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1"); // never contacted
        ServerConfig config = ServerConfig.from(env);
        publishConnection = new BrokerConnection(config.broker(), "test-publish", Duration.ofSeconds(1));
        adminConnection = new BrokerConnection(config.broker(), "test-admin", Duration.ofSeconds(1));
        Topology topology = new Topology(adminConnection);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        publisher = new ConfirmingPublisher(
                publishConnection, topology.knownExchanges(), config.publish(), new MicrometerPublishMetrics(registry));
        app = HttpApi.create(
                config,
                Optional.of(new HttpApi.Gateway(
                        topology,
                        publisher,
                        PublishMetrics.NO_OP,
                        new QueueDepths(topology, registry, Duration.ofMinutes(1)),
                        Optional.empty(), // no management API
                        TestDelays.unavailable(),
                        Idempotency.create(config.idempotency(), registry),
                        new UnavailableSubscriptions(),
                        MemorySchemaStore.schemas())),
                new Health(List.of(publishConnection, adminConnection), VERSION),
                registry);
    }

    /** Builds the API with these settings (besides the unreachable broker) and starts it on a free port. */
    static OfflineApi start(Map<String, String> settings) {
        OfflineApi api = new OfflineApi(settings);
        api.app.start("127.0.0.1", 0);
        return api;
    }

    String base() {
        return "http://127.0.0.1:" + app.port();
    }

    /** Stops as QueueService does: the HTTP server first, then the publisher, then the connections. */
    @Override
    public void close() {
        app.stop();
        publisher.close();
        publishConnection.close();
        adminConnection.close();
    }
}
