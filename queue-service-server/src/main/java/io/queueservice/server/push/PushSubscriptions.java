package io.queueservice.server.push;

import io.micrometer.core.instrument.MeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.broker.Topology;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.PublishConfig;
import io.queueservice.definitions.DefinitionsLog;
import io.queueservice.definitions.DefinitionsLogSettings;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.worker.WorkerOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Push subscriptions in one process: the definitions log (every instance follows it), the {@link
 * Subscriptions} service the API's routes call, and, with {@code PUSH_DELIVERY=true}, the deliverers.
 *
 * <p>Connections (each comes back by itself after a loss): {@code queue-service-definitions} (follows the
 * definitions stream, writes to it, checks queues), and when delivering {@code queue-service-push-consume}
 * and {@code queue-service-push-publish} (retry and dead-letter copies, with confirms).
 */
public final class PushSubscriptions implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushSubscriptions.class);

    private final List<BrokerConnection> connections = new ArrayList<>();
    private final List<ConfirmingPublisher> publishers = new ArrayList<>();
    private final DefinitionsLog definitions;
    private final Topology topology;
    private final Subscriptions subscriptions;
    private final PushRunner runner;
    private final ExecutorService handlers;

    /** What the process gives push subscriptions. */
    public record Context(
            BrokerConfig broker,
            PublishConfig publish,
            WorkerOptions worker,
            MeterRegistry registry,
            WorkerMetrics workerMetrics,
            Vertx vertx) {}

    private PushSubscriptions(PushConfig config, Context ctx, AddressGuard.Resolver resolver) {
        Duration timeout = ctx.publish().requestTimeout();
        BrokerConnection definitionsConnection =
                new BrokerConnection(ctx.broker(), "queue-service-definitions", timeout);
        connections.add(definitionsConnection);
        ConfirmingPublisher definitionsPublisher = new ConfirmingPublisher(
                definitionsConnection, new KnownExchanges(), ctx.publish(), PublishMetrics.NO_OP);
        publishers.add(definitionsPublisher);
        topology = new Topology(definitionsConnection, ctx.worker().queueType());
        definitionsConnection.start();
        definitions = DefinitionsLog.start(
                definitionsConnection,
                definitionsPublisher,
                DefinitionsLogSettings.defaults(config.definitionsStream()));
        SubscriptionStates states = new SubscriptionStates();
        SecretBox secrets = new SecretBox(config.key());
        AddressGuard guard = new AddressGuard(config.allowHttp(), config.allowedHosts(), resolver);
        subscriptions = new Subscriptions(
                definitions,
                topology,
                secrets,
                guard,
                states,
                new Subscriptions.Settings(ctx.worker().retry().maxRetries() + 1, config.maxSubscriptions()));
        if (!config.delivery()) {
            runner = null;
            handlers = null;
            return;
        }
        BrokerConnection consume = new BrokerConnection(ctx.broker(), "queue-service-push-consume", timeout);
        BrokerConnection publish = new BrokerConnection(ctx.broker(), "queue-service-push-publish", timeout);
        connections.addAll(List.of(consume, publish));
        AtomicInteger n = new AtomicInteger();
        handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "push-delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Dispatch only: the handlers hold no thread while a delivery is in flight.
        consume.dispatchConsumersOn(handlers);
        ConfirmingPublisher publisher =
                new ConfirmingPublisher(publish, new KnownExchanges(), ctx.publish(), PublishMetrics.NO_OP);
        publishers.add(publisher);
        consume.start();
        publish.start();
        Deliverer.Shared shared = new Deliverer.Shared(
                ctx.vertx(),
                consume,
                publisher,
                topology,
                ctx.worker(),
                ctx.workerMetrics(),
                guard,
                new PushMetrics(ctx.registry()),
                config.caFile());
        runner = new PushRunner(definitions, shared, s -> target(s, secrets), states, subscriptions::pauseBecauseGone);
        runner.start();
    }

    /**
     * Starts push subscriptions (connects, or keeps trying in the background while the broker is away).
     * Logs how signing secrets are protected: a warning with the development key or without a key.
     */
    public static PushSubscriptions start(PushConfig config, Context ctx) {
        return start(config, ctx, java.net.InetAddress::getAllByName);
    }

    static PushSubscriptions start(PushConfig config, Context ctx, AddressGuard.Resolver resolver) {
        switch (config.key()) {
            case SubscriptionsKey.Configured c -> log.info("push subscriptions: {}", config.describeKey());
            default -> log.warn("push subscriptions: {}", config.describeKey());
        }
        PushSubscriptions p = new PushSubscriptions(config, ctx, resolver);
        log.info(
                "push subscriptions: definitions in stream '{}'; {}",
                config.definitionsStream(),
                config.delivery()
                        ? "this process delivers (PUSH_DELIVERY=true)"
                        : "no deliveries here (PUSH_DELIVERY=false)");
        return p;
    }

    private static PushHandler.Target target(Subscription s, SecretBox secrets) {
        String secret;
        try {
            secret = secrets.open(s.sealedSecret(), Subscription.secretContext(s.name()));
        } catch (SecretBox.SecretUnreadableException e) {
            throw new IllegalStateException("cannot read its signing secret: " + e.getMessage());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        s.sealedHeaders().forEach((k, v) -> {
            try {
                headers.put(k, secrets.open(v, Subscription.headerContext(s.name(), k)));
            } catch (SecretBox.SecretUnreadableException e) {
                throw new IllegalStateException("cannot read its header '" + k + "': " + e.getMessage());
            }
        });
        return new PushHandler.Target(
                s.name(),
                s.queue(),
                s.endpoint(),
                SignedRequest.signingKey(secret),
                headers,
                s.maxAttempts(),
                Duration.ofMillis(s.timeoutMs()),
                s.concurrency());
    }

    /** The service the API's routes call. */
    public Subscriptions subscriptions() {
        return subscriptions;
    }

    /** Queues and exchanges, through the definitions connection: the queue depths of a process without the API. */
    public Topology topology() {
        return topology;
    }

    /** The broker connections, for health checks and the connection metrics. */
    public List<BrokerConnection> connections() {
        return List.copyOf(connections);
    }

    /**
     * Waits until the definitions written before the start are loaded (reads and writes work from then on).
     *
     * @return false when not within {@code timeout}
     */
    public boolean awaitReady(Duration timeout) {
        return definitions.awaitReady(timeout);
    }

    PushRunner runner() {
        return runner;
    }

    /** The definitions log itself, which message schemas share with the subscriptions. */
    public DefinitionsLog definitions() {
        return definitions;
    }

    /** Stops the deliverers (deliveries in flight finish), then the definitions log and the connections. */
    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
        definitions.close();
        for (ConfirmingPublisher p : publishers) {
            p.drain(Duration.ofSeconds(5));
            p.close();
        }
        connections.forEach(BrokerConnection::close);
        if (handlers != null) {
            handlers.shutdownNow();
        }
    }
}
