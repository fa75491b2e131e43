package io.queueservice.server.push;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.Topology;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import io.queueservice.worker.Workers;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/**
 * One subscription delivering on this instance: a worker of the toolkit (retries, backoff, circuit breaker,
 * dead-lettering) on the subscription's queue, whose asynchronous handler is a {@link PushHandler}, and an HTTP
 * client of its own (a keep-alive pool of {@code concurrency} connections) on one event loop.
 */
final class Deliverer implements AutoCloseable {
    private final HttpClient client;
    private final Worker worker;

    private Deliverer(HttpClient client, Worker worker) {
        this.client = client;
        this.worker = worker;
    }

    /** What every deliverer of this instance shares. */
    record Shared(
            Vertx vertx,
            BrokerConnection consumeConnection,
            ConfirmingPublisher publisher,
            Topology topology,
            WorkerOptions workerDefaults,
            WorkerMetrics workerMetrics,
            AddressGuard guard,
            PushMetrics metrics,
            java.util.Optional<java.nio.file.Path> caFile) {}

    /**
     * Declares the queue's retry and dead-letter queues (idempotently) and starts consuming.
     *
     * @throws io.queueservice.broker.BrokerException when the topology cannot be declared
     */
    static Deliverer start(
            Shared shared, PushHandler.Target target, SubscriptionStates.State state, PushHandler.GoneListener gone) {
        RetryConfig base = shared.workerDefaults().retry();
        RetryConfig retry = new RetryConfig(target.maxAttempts() - 1, base.initialDelay(), base.maxDelay());
        WorkerOptions options = shared.workerDefaults()
                .withRetry(retry)
                .withConcurrency(target.concurrency(), shared.workerDefaults().prefetch());
        Workers.declareRetryTopology(shared.topology(), target.queue(), retry, options.queueType());
        HttpClientOptions http = new HttpClientOptions()
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setForceSni(true)
                .setVerifyHost(true)
                .setMaxRedirects(0)
                .setDecompressionSupported(false)
                .setConnectTimeout((int) Math.min(target.timeout().toMillis(), 10_000));
        shared.caFile()
                .ifPresent(
                        ca -> http.setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(ca.toString())));
        HttpClient client = shared.vertx()
                .httpClientBuilder()
                .with(http)
                .with(new PoolOptions().setHttp1MaxSize(target.concurrency()))
                .build();
        // Called from a thread that is not Vert.x's: a new context, on one event loop, for this subscription.
        io.vertx.core.Context context = shared.vertx().getOrCreateContext();
        PushHandler handler = new PushHandler(target, context, client, shared.guard(), shared.metrics(), state, gone);
        Worker worker;
        try {
            worker = Workers.startAsync(
                    shared.consumeConnection(),
                    shared.publisher(),
                    target.queue(),
                    handler,
                    options,
                    shared.workerMetrics());
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        handler.workingFor(worker);
        state.circuit(worker::circuitState);
        shared.metrics().circuit(target.subscription(), worker::circuitState);
        return new Deliverer(client, worker);
    }

    Worker worker() {
        return worker;
    }

    /** Stops taking messages, lets deliveries in flight finish, then closes the HTTP client. */
    @Override
    public void close() {
        worker.close();
        client.close()
                .toCompletionStage()
                .toCompletableFuture()
                .completeOnTimeout(null, 5, java.util.concurrent.TimeUnit.SECONDS);
    }
}
