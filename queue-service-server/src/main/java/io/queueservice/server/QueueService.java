package io.queueservice.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.Topology;
import io.queueservice.client.QueueClient;
import io.queueservice.delay.DelayedDelivery;
import io.queueservice.metrics.MicrometerDelayMetrics;
import io.queueservice.metrics.MicrometerPublishMetrics;
import io.queueservice.metrics.MicrometerWorkerMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.server.api.ApiServer;
import io.queueservice.server.api.Delays;
import io.queueservice.server.api.HttpApi;
import io.queueservice.server.api.ManagementApi;
import io.queueservice.server.email.EmailWorker;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.schemas.MessageSchemas;
import io.queueservice.server.security.SecurityConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service, in the roles its {@link Mode} asks for:
 *
 * <ul>
 *   <li>the gateway: two broker connections (one to publish, one for topology operations, so a broker
 *       that blocks publishers or a failing admin operation never stalls the other), the publisher,
 *       and the HTTP API in front of them;
 *   <li>the email worker: a {@link QueueClient} (its own connections) consuming the confirmation queue;
 *   <li>always: {@code /healthz}, {@code /healthz/ready} and {@code /metrics} over HTTP.
 * </ul>
 */
public final class QueueService {
    private static final Logger log = LoggerFactory.getLogger(QueueService.class);

    private final ServerConfig config;
    private final List<BrokerConnection> gatewayConnections = new ArrayList<>();
    private ConfirmingPublisher publisher;
    private DelayedDelivery delays;
    private Idempotency idempotency;
    private QueueClient workers;
    private final QueueDepths queueDepths;
    private final Health health;
    private final ApiServer http;

    private QueueService(ServerConfig config, Mode mode) {
        this.config = config;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProcessMetrics.bindTo(registry);
        PublishMetrics publishMetrics = new MicrometerPublishMetrics(registry);
        List<BrokerConnection> watched = new ArrayList<>();
        Topology topology = null;
        if (mode.emailWorker()) {
            workers = new QueueClient(
                    "queue-service-worker",
                    config.broker(),
                    config.publish(),
                    config.worker(),
                    publishMetrics,
                    new MicrometerWorkerMetrics(registry));
            watched.addAll(workers.connections());
            topology = workers.topology();
        }
        if (mode.api()) {
            Duration timeout = config.publish().requestTimeout();
            BrokerConnection publishConnection =
                    new BrokerConnection(config.broker(), "queue-service-publish", timeout);
            BrokerConnection adminConnection = new BrokerConnection(config.broker(), "queue-service-admin", timeout);
            // The delay machinery declares its queues and consumes the due ones on a connection of its own.
            BrokerConnection delayConnection = new BrokerConnection(config.broker(), "queue-service-delay", timeout);
            gatewayConnections.addAll(List.of(publishConnection, adminConnection, delayConnection));
            topology = new Topology(adminConnection, config.worker().queueType());
            publisher = new ConfirmingPublisher(
                    publishConnection, topology.knownExchanges(), config.publish(), publishMetrics);
            delays = DelayedDelivery.start(
                    delayConnection, publisher, config.delay(), new MicrometerDelayMetrics(registry));
            idempotency = Idempotency.create(config.idempotency(), registry);
            ProcessMetrics.publisherInFlight(registry, publisher);
            watched.addAll(gatewayConnections);
        }
        queueDepths = new QueueDepths(topology, registry, config.queueDepthInterval());
        config.metricsQueues().forEach(queueDepths::watch);
        if (delays != null) {
            queueDepths.watch(delays.levels().dueQueue());
            queueDepths.watch(delays.levels().deadLetterQueue());
        }
        Optional<ManagementApi> management = config.managementUrl()
                .map(url -> new ManagementApi(
                        url,
                        config.broker().username(),
                        config.broker().password(),
                        config.broker().virtualHost(),
                        config.publish().requestTimeout()));
        Optional<HttpApi.Gateway> gateway = publisher == null
                ? Optional.empty()
                : Optional.of(new HttpApi.Gateway(
                        topology,
                        publisher,
                        publishMetrics,
                        queueDepths,
                        management,
                        Delays.of(delays),
                        idempotency,
                        new MessageSchemas(PendingSchemaStore.INSTANCE)));
        ProcessMetrics.brokerConnections(registry, watched);
        health = new Health(watched, Version.current());
        if (idempotency != null) {
            health.addDegradation(idempotency::unavailableReason);
            health.addDegradation(delays::unavailableReason);
        }
        http = HttpApi.create(config, gateway, health, registry);
    }

    /** Connects to the broker (or starts trying to, in the background) and starts serving HTTP. */
    public static QueueService start(ServerConfig config, Mode mode) {
        log.info(
                "queue-service {} starting ({}); RabbitMQ at {}; queues declared without a type: {}",
                Version.current(),
                describe(mode),
                config.broker().displayUrl(),
                config.worker().queueType() == null
                        ? "the broker's default (DEFAULT_QUEUE_TYPE unset)"
                        : config.worker().queueType().amqpName());
        if (mode.api()) {
            if (config.security().mode() == SecurityConfig.AuthMode.NONE) {
                log.warn("AUTH_MODE=none: the API accepts every request without authentication;"
                        + " use it for local development only, and set AUTH_MODE=jwt anywhere else");
            } else {
                log.info("API access: {}", config.security().describe());
            }
        }
        QueueService s = new QueueService(config, mode);
        s.gatewayConnections.forEach(BrokerConnection::start);
        try {
            if (s.workers != null) {
                EmailWorker.start(s.workers, config.email(), config.worker());
                s.queueDepths.watch(EmailWorker.QUEUE);
                s.queueDepths.watch(EmailWorker.QUEUE + ".dlq");
            }
            s.http.start(config.host(), config.port());
        } catch (RuntimeException e) {
            // Most often the port is taken: without HTTP the process is useless, so let it end.
            s.closeBrokerSide(Duration.ZERO);
            throw new IllegalStateException("cannot start: " + e.getMessage(), e);
        }
        log.info(
                "listening on {}://{}:{} (RabbitMQ {})",
                config.https().isPresent() ? "https" : "http",
                config.host(),
                s.http.port(),
                s.health.rabbitmq());
        return s;
    }

    /** The API only, as by default. */
    public static QueueService start(ServerConfig config) {
        return start(config, Mode.apiOnly());
    }

    private static String describe(Mode mode) {
        return mode.api() && mode.emailWorker() ? "API and email worker" : mode.api() ? "API" : "email worker";
    }

    /** The HTTP port, useful when started on port 0. */
    public int port() {
        return http.port();
    }

    /**
     * Stops gracefully: readiness turns 503 first, the HTTP server stops taking connections and lets
     * requests in flight finish (each waits at most the request timeout for its confirm), workers let
     * their handlers finish, then the broker connections close. Bounded by {@code SHUTDOWN_TIMEOUT}.
     */
    public void stop() {
        log.info(
                "stopping: finishing requests in flight (at most {} ms)",
                config.shutdownTimeout().toMillis());
        long started = System.nanoTime();
        health.markStopping();
        try {
            http.stop();
        } catch (RuntimeException e) {
            log.warn("the HTTP server did not stop cleanly: {}", e.toString());
        } finally {
            Duration left = config.shutdownTimeout().minusNanos(System.nanoTime() - started);
            closeBrokerSide(left.isNegative() ? Duration.ZERO : left);
        }
        log.info("stopped");
    }

    private void closeBrokerSide(Duration drainFor) {
        long started = System.nanoTime();
        queueDepths.close();
        if (workers != null) {
            workers.close();
        }
        if (delays != null) {
            delays.close(drainFor); // due messages it holds are published first, then the publisher drains
        }
        if (publisher != null) {
            Duration left = drainFor.minusNanos(System.nanoTime() - started);
            publisher.drain(left.isNegative() ? Duration.ZERO : left);
            publisher.close();
        }
        if (idempotency != null) {
            idempotency.close();
        }
        gatewayConnections.forEach(BrokerConnection::close);
    }
}
