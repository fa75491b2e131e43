package io.queueservice.server;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.Topology;
import io.queueservice.metrics.MicrometerPublishMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.server.api.HttpApi;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: two broker connections (one to publish, one for topology operations, so a broker
 * that blocks publishers or a failing admin operation never stalls the other), the publisher, and the
 * HTTP API in front of them.
 */
public final class QueueService {
    private static final Logger log = LoggerFactory.getLogger(QueueService.class);

    private final ServerConfig config;
    private final BrokerConnection publishConnection;
    private final BrokerConnection adminConnection;
    private final ConfirmingPublisher publisher;
    private final Health health;
    private final Javalin http;

    private QueueService(ServerConfig config) {
        this.config = config;
        Duration timeout = config.publish().requestTimeout();
        publishConnection = new BrokerConnection(config.broker(), "queue-service-publish", timeout);
        adminConnection = new BrokerConnection(config.broker(), "queue-service-admin", timeout);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Topology topology = new Topology(adminConnection);
        PublishMetrics metrics = new MicrometerPublishMetrics(registry);
        publisher = new ConfirmingPublisher(publishConnection, topology.knownExchanges(), config.publish(), metrics);
        health = new Health(publishConnection, adminConnection, Version.current());
        http = HttpApi.create(config, topology, publisher, metrics, health, registry);
    }

    /** Connects to the broker (or starts trying to, in the background) and starts serving HTTP. */
    public static QueueService start(ServerConfig config) {
        log.info(
                "queue-service {} starting; RabbitMQ at {}",
                Version.current(),
                config.broker().displayUrl());
        QueueService s = new QueueService(config);
        s.publishConnection.start();
        s.adminConnection.start();
        try {
            s.http.start(config.host(), config.port());
        } catch (RuntimeException e) {
            // Most often the port is taken: without HTTP the process is useless, so let it end.
            s.publisher.close();
            s.publishConnection.close();
            s.adminConnection.close();
            throw new IllegalStateException(
                    "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        log.info("listening on http://{}:{} (RabbitMQ {})", config.host(), s.http.port(), s.health.rabbitmq());
        return s;
    }

    /** The HTTP port, useful when started on port 0. */
    public int port() {
        return http.port();
    }

    /**
     * Stops gracefully: readiness turns 503 first, the HTTP server stops taking connections and lets
     * requests in flight finish (each waits at most the request timeout for its confirm), then the broker
     * connections close. Bounded by {@code SHUTDOWN_TIMEOUT}.
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
            publisher.drain(left.isNegative() ? Duration.ZERO : left);
            publisher.close();
            publishConnection.close();
            adminConnection.close();
        }
        log.info("stopped");
    }
}
