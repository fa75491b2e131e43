package io.queueservice.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.ManagementApi;
import io.queueservice.client.QueueClient;
import io.queueservice.metrics.MicrometerPublishMetrics;
import io.queueservice.metrics.MicrometerWorkerMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepthSource;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.server.api.ApiServer;
import io.queueservice.server.api.Delays;
import io.queueservice.server.api.HttpApi;
import io.queueservice.server.email.EmailWorker;
import io.queueservice.server.push.PushSubscriptions;
import io.queueservice.server.schemas.DefinitionsSchemaStore;
import io.queueservice.server.schemas.MessageSchemas;
import io.queueservice.server.security.SecurityConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service, in the roles its {@link Mode} asks for:
 *
 * <ul>
 *   <li>the API: its broker side ({@link ApiGateway}) and the HTTP API in front of it;
 *   <li>push subscriptions (with the API, or alone): the definitions, and the deliverers when {@code
 *       PUSH_DELIVERY=true};
 *   <li>the email worker: a {@link QueueClient} (its own connections) consuming the confirmation queue;
 *   <li>always: {@code /healthz}, {@code /healthz/ready} and {@code /metrics} over HTTP.
 * </ul>
 */
public final class QueueService {
    private static final Logger log = LoggerFactory.getLogger(QueueService.class);

    private final ServerConfig config;
    private final Optional<ApiGateway> gateway;
    private final Optional<PushSubscriptions> push;
    private final Optional<Vertx> pushVertx;
    private final Optional<QueueClient> workers;
    private final Optional<DeadLetterSide> deadLetters;
    private final QueueDepths queueDepths;
    private final Health health;
    private final ApiServer http;

    private QueueService(ServerConfig config, Mode.Serve mode) {
        this.config = config;
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProcessMetrics.bindTo(registry);
        PublishMetrics publishMetrics = new MicrometerPublishMetrics(registry);
        WorkerMetrics workerMetrics = new MicrometerWorkerMetrics(registry);
        List<BrokerConnection> watched = new ArrayList<>();

        workers = mode.emailWorker()
                ? Optional.of(new QueueClient(
                        "queue-service-worker",
                        config.broker(),
                        config.publish(),
                        config.worker(),
                        publishMetrics,
                        workerMetrics))
                : Optional.empty();
        workers.ifPresent(w -> watched.addAll(w.connections()));

        gateway = mode.api() ? Optional.of(new ApiGateway(config, publishMetrics, registry)) : Optional.empty();
        gateway.ifPresent(g -> {
            ProcessMetrics.publisherInFlight(registry, g.publisher);
            watched.addAll(g.connections);
        });

        // Deliveries get event loops of their own: they never wait behind the API's publishes.
        pushVertx = mode.pushSubscriptions()
                ? Optional.of(Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)))
                : Optional.empty();
        push = pushVertx.map(vertx -> PushSubscriptions.start(
                config.push(),
                new PushSubscriptions.Context(
                        config.broker(), config.publish(), config.worker(), registry, workerMetrics, vertx)));
        push.ifPresent(p -> watched.addAll(p.connections()));

        QueueDepthSource depths = gateway.<QueueDepthSource>map(g -> g.topology)
                .or(() -> workers.map(QueueClient::topology))
                .or(() -> push.map(PushSubscriptions::topology))
                .orElseThrow();
        queueDepths = new QueueDepths(depths, registry, config.queueDepthInterval());
        config.metricsQueues().forEach(queueDepths::watch);
        gateway.ifPresent(g -> {
            queueDepths.watch(g.delays.levels().dueQueue());
            queueDepths.watch(g.delays.levels().deadLetterQueue());
        });

        Optional<ManagementApi> management = config.managementUrl()
                .map(url -> new ManagementApi(
                        url,
                        config.broker().username(),
                        config.broker().password(),
                        config.broker().virtualHost(),
                        config.publish().requestTimeout()));
        deadLetters = gateway.map(g -> new DeadLetterSide(
                config, g, management, registry, workers.isPresent(), push.map(PushSubscriptions::subscriptions)));

        ProcessMetrics.brokerConnections(registry, watched);
        health = new Health(watched, Version.current());
        gateway.ifPresent(g -> {
            health.addDegradation(g.idempotency::unavailableReason);
            health.addDegradation(g.delays::unavailableReason);
        });
        http = HttpApi.create(config, gateway.map(g -> httpGateway(g, management, publishMetrics)), health, registry);
    }

    private HttpApi.Gateway httpGateway(
            ApiGateway g, Optional<ManagementApi> management, PublishMetrics publishMetrics) {
        DeadLetterSide d = deadLetters.orElseThrow();
        return new HttpApi.Gateway(
                d.recording(g.topology),
                d.counting(g.publisher),
                publishMetrics,
                queueDepths,
                management,
                Delays.of(g.delays),
                g.idempotency,
                push.orElseThrow().subscriptions(),
                // Message schemas live in the same definitions log as the subscriptions.
                new MessageSchemas(new DefinitionsSchemaStore(push.orElseThrow().definitions())),
                Optional.of(d.api()));
    }

    /** Connects to the broker (or starts trying to, in the background) and starts serving HTTP. */
    public static QueueService start(ServerConfig config, Mode.Serve mode) {
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
        s.gateway.ifPresent(ApiGateway::start);
        s.deadLetters.ifPresent(DeadLetterSide::start);
        try {
            s.workers.ifPresent(w -> {
                EmailWorker.start(w, config.email(), config.worker());
                s.queueDepths.watch(EmailWorker.QUEUE);
                s.queueDepths.watch(EmailWorker.QUEUE + ".dlq");
            });
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
        return start(config, (Mode.Serve) Mode.apiOnly());
    }

    private static String describe(Mode.Serve mode) {
        List<String> roles = new ArrayList<>();
        if (mode.api()) {
            roles.add("API");
        } else if (mode.pushSubscriptions()) {
            roles.add("push deliveries");
        }
        if (mode.emailWorker()) {
            roles.add("email worker");
        }
        return String.join(" and ", roles);
    }

    /** The HTTP port, useful when started on port 0. */
    public int port() {
        return http.port();
    }

    /**
     * Stops gracefully: readiness turns 503 first, the HTTP server stops taking connections and lets
     * requests in flight finish (each waits at most the request timeout for its confirm), workers and
     * deliverers let their handlers finish, then the broker connections close. Bounded by {@code
     * SHUTDOWN_TIMEOUT}.
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
        queueDepths.close();
        workers.ifPresent(QueueClient::close);
        push.ifPresent(PushSubscriptions::close);
        pushVertx.ifPresent(v -> {
            try {
                v.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("the push deliverers' event loops did not stop cleanly: {}", e.toString());
            }
        });
        long started = System.nanoTime();
        deadLetters.ifPresent(DeadLetterSide::close);
        Duration left = drainFor.minusNanos(System.nanoTime() - started);
        gateway.ifPresent(g -> g.close(left.isNegative() ? Duration.ZERO : left));
    }
}
