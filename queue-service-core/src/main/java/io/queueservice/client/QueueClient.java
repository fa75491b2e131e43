package io.queueservice.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import io.queueservice.broker.BindingSpec;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.ExchangeSpec;
import io.queueservice.broker.ExchangeType;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.Topology;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.EnvSource;
import io.queueservice.config.PublishConfig;
import io.queueservice.delay.DelayConfig;
import io.queueservice.delay.DelayLevels;
import io.queueservice.delay.DelayedDelivery;
import io.queueservice.delay.ScheduledMessage;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.worker.AsyncMessageHandler;
import io.queueservice.worker.MessageHandler;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import io.queueservice.worker.Workers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker toolkit's entry point, shaped like the original {@code queueService}: {@link #consume},
 * {@link #bindQueue}, {@link #createExchange}, {@link #createQueue} and {@link #publish}, over AMQP.
 *
 * <pre>{@code
 * try (QueueClient client = QueueClient.fromEnvironment()) {
 *     client.createExchange("logs", ExchangeType.TOPIC);
 *     client.createQueue("error_logs");
 *     client.bindQueue("error_logs", "logs", "*.error");
 *     client.consume("error_logs", message -> {
 *         alerting.send(message.json());
 *         return Outcome.ack();
 *     });
 *     client.publish("logs", "system.error", Map.of("source", "auth")).join();
 * }
 * }</pre>
 *
 * <p>It holds three connections: one to publish (with confirms), one for topology, one for consumers;
 * each comes back by itself after a loss. Thread-safe.
 */
public final class QueueClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BrokerConnection publishConnection;
    private final BrokerConnection adminConnection;
    private final BrokerConnection consumeConnection;
    private final ExecutorService handlers;
    private final Topology topology;
    private final ConfirmingPublisher publisher;
    private final WorkerOptions defaults;
    private final WorkerMetrics workerMetrics;
    private final List<Worker> workers = new ArrayList<>();
    private final LazyDelayedDelivery delayed;

    /**
     * Connects (or starts trying to, in the background, while the broker is unreachable).
     *
     * @param name prefix of the connections' names, as shown in the broker's management UI
     */
    public QueueClient(
            String name,
            BrokerConfig broker,
            PublishConfig publish,
            WorkerOptions defaults,
            PublishMetrics publishMetrics,
            WorkerMetrics workerMetrics) {
        this(name, broker, publish, defaults, publishMetrics, workerMetrics, DelayConfig.of(delayQueueType(defaults)));
    }

    /**
     * Connects, with delayed publishes set up as {@code delay} says (the longest delay, the delay queues'
     * type and names); see {@link #publish(OutgoingMessage, Duration)}.
     */
    public QueueClient(
            String name,
            BrokerConfig broker,
            PublishConfig publish,
            WorkerOptions defaults,
            PublishMetrics publishMetrics,
            WorkerMetrics workerMetrics,
            DelayConfig delay) {
        Duration timeout = publish.requestTimeout();
        this.publishConnection = new BrokerConnection(broker, name + "-publish", timeout);
        this.adminConnection = new BrokerConnection(broker, name + "-admin", timeout);
        this.consumeConnection = new BrokerConnection(broker, name + "-consume", timeout);
        AtomicInteger n = new AtomicInteger();
        this.handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-handler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        consumeConnection.dispatchConsumersOn(handlers); // one thread per busy consumer
        this.topology = new Topology(adminConnection, defaults.queueType());
        this.publisher = new ConfirmingPublisher(publishConnection, topology.knownExchanges(), publish, publishMetrics);
        this.defaults = defaults;
        this.workerMetrics = workerMetrics;
        this.delayed = new LazyDelayedDelivery(consumeConnection, publisher, delay);
        publishConnection.start();
        adminConnection.start();
        consumeConnection.start();
    }

    /**
     * A client configured from the environment and {@code .env}: {@code RABBITMQ_URL}, the retry,
     * circuit breaker and worker settings, {@code DEFAULT_QUEUE_TYPE} (see
     * docs/configuration.md).
     *
     * @throws io.queueservice.config.ConfigException listing every invalid setting
     */
    public static QueueClient fromEnvironment() {
        ConfigReader env = new ConfigReader(EnvSource.load(Path.of(".env"), System.getenv()));
        BrokerConfig broker = BrokerConfig.from(env);
        PublishConfig publish = PublishConfig.from(env);
        WorkerOptions options = WorkerOptions.from(env);
        DelayConfig delay = DelayConfig.from(env, options.queueType());
        env.validate();
        return new QueueClient(
                "queue-client", broker, publish, options, PublishMetrics.NO_OP, WorkerMetrics.NO_OP, delay);
    }

    /** The client's connections (publish, admin, consume), for health checks. */
    public List<BrokerConnection> connections() {
        return List.of(publishConnection, adminConnection, consumeConnection);
    }

    /** The options {@link #consume(String, MessageHandler)} uses. */
    public WorkerOptions defaultOptions() {
        return defaults;
    }

    /**
     * Consumes a queue with the default options; see {@link #consume(String, MessageHandler, WorkerOptions)}.
     */
    public Worker consume(String queue, MessageHandler handler) {
        return consume(queue, handler, defaults);
    }

    /**
     * Starts a worker on a queue: declares the queue when missing (durable, of the options' {@link
     * WorkerOptions#queueType()}), its retry queues and its dead-letter queue {@code <queue>.dlq} (all
     * idempotently, of that type too), then consumes with retries, backoff, dead-lettering and a circuit
     * breaker (see {@link Worker}). An existing work queue is used as it is, whatever its type. Stopped by
     * {@link Worker#close()} or with this client.
     *
     * @throws io.queueservice.broker.BrokerException when the topology cannot be declared (broker down,
     *     a name too long, a retry or dead-letter queue of that name with another type or other arguments)
     */
    public Worker consume(String queue, MessageHandler handler, WorkerOptions options) {
        declareWorkerTopology(queue, options);
        return kept(Workers.start(consumeConnection, publisher, queue, handler, options, workerMetrics));
    }

    /**
     * Like {@link #consume(String, MessageHandler, WorkerOptions)}, with a handler that returns a stage of its
     * outcome instead of holding a thread while it waits (see {@link AsyncMessageHandler}).
     *
     * @throws io.queueservice.broker.BrokerException when the topology cannot be declared
     */
    public Worker consumeAsync(String queue, AsyncMessageHandler handler, WorkerOptions options) {
        declareWorkerTopology(queue, options);
        return kept(Workers.startAsync(consumeConnection, publisher, queue, handler, options, workerMetrics));
    }

    /** The work queue when missing, its retry queues and its dead-letter queue. */
    private void declareWorkerTopology(String queue, WorkerOptions options) {
        try {
            topology.queueInfo(queue);
        } catch (ResourceNotFoundException e) {
            topology.declareQueue(QueueSpec.durable(queue).withDefaultType(options.queueType()));
        }
        Workers.declareRetryTopology(topology, queue, options.retry(), options.queueType());
    }

    /** Keeps a started worker, to stop it with this client. */
    private Worker kept(Worker worker) {
        synchronized (workers) {
            workers.add(worker);
        }
        return worker;
    }

    /** Binds a queue to an exchange with a routing key or, for topic exchanges, a pattern such as {@code *.error}. */
    public void bindQueue(String queue, String exchange, String pattern) {
        topology.bind(new BindingSpec(queue, exchange, pattern, null));
    }

    /** Declares a durable exchange. @return true when created, false when it existed alike */
    public boolean createExchange(String name, ExchangeType type) {
        return topology.declareExchange(ExchangeSpec.durable(name, type));
    }

    /** Declares an exchange with all its options. @return true when created, false when it existed alike */
    public boolean createExchange(ExchangeSpec spec) {
        return topology.declareExchange(spec);
    }

    /**
     * Declares a durable queue, of type {@code DEFAULT_QUEUE_TYPE} ({@link WorkerOptions#queueType()} of the
     * client's default options) when set. @return true when created, false when it existed alike
     */
    public boolean createQueue(String name) {
        return topology.declareQueue(QueueSpec.durable(name));
    }

    /**
     * Declares a queue with all its options; without a type, it gets the one of {@link #createQueue(String)}.
     * @return true when created, false when it existed alike
     */
    public boolean createQueue(QueueSpec spec) {
        return topology.declareQueue(spec);
    }

    /** Queues, exchanges and bindings, in full. */
    public Topology topology() {
        return topology;
    }

    /**
     * Publishes {@code message} as JSON, persistent and mandatory.
     *
     * @return the message id, once the broker confirmed the message (see {@link ConfirmingPublisher#publish}
     *     for the failures)
     */
    public CompletableFuture<String> publish(String exchange, String routingKey, Object message) {
        OutgoingMessage m = jsonMessage(exchange, routingKey, message);
        return publish(m).thenApply(v -> m.properties().getMessageId());
    }

    /** Publishes a message built in full. Completed when the broker confirmed it. */
    public CompletableFuture<Void> publish(OutgoingMessage message) {
        return publisher.publish(message);
    }

    /**
     * Publishes {@code message} as JSON, persistent and mandatory, to be delivered to {@code exchange} with
     * {@code routingKey} once {@code delay} has passed (see {@link #publish(OutgoingMessage, Duration)}).
     *
     * @return the message id and when it is due, once the broker confirmed it into the delay queues
     * @throws InvalidRequestException when the message cannot be written as JSON or the delay is out of range
     */
    public CompletableFuture<ScheduledMessage> publish(
            String exchange, String routingKey, Object message, Duration delay) {
        return publish(jsonMessage(exchange, routingKey, message), delay);
    }

    /**
     * Publishes a message built in full, to be delivered once {@code delay} has passed: it waits in the delay
     * queues ({@code qs.delay.*}, declared on first use; quorum queues when this client's {@link
     * WorkerOptions#queueType()} is quorum, else classic)
     * and reaches its exchange with its routing key, body, properties and headers, plus the header {@value
     * DelayedDelivery#DUE_AT_HEADER}, no earlier than {@link ScheduledMessage#deliverAt()}. A message that
     * cannot be delivered when due (no such exchange, unroutable) goes to {@code qs.delay.dlq}.
     *
     * <p>Due messages are delivered by every running API instance and by every client that published with a
     * delay, while it runs: this client starts dispatching with its first delayed publish.
     *
     * @param delay from 0 to the {@link DelayConfig#maxDelay()} of this client ({@link DelayLevels#MAX_DELAY}
     *     unless configured; {@code PUBLISH_MAX_DELAY} for {@link #fromEnvironment()})
     * @return completed once the broker confirmed the message into the delay queues, or exceptionally as
     *     {@link ConfirmingPublisher#publish} fails; a target exchange that does not exist is not detected now
     *     but when the message comes due
     * @throws InvalidRequestException when the delay is out of range
     */
    public CompletableFuture<ScheduledMessage> publish(OutgoingMessage message, Duration delay) {
        return delayed.publish(message, delay);
    }

    private static QueueType delayQueueType(WorkerOptions defaults) {
        return defaults.queueType() == QueueType.QUORUM ? QueueType.QUORUM : QueueType.CLASSIC;
    }

    private static OutgoingMessage jsonMessage(String exchange, String routingKey, Object message) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("message", "cannot be written as JSON: " + e.getOriginalMessage());
        }
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .messageId(UUID.randomUUID().toString())
                .timestamp(new Date())
                .build();
        return new OutgoingMessage(exchange, routingKey, body, props, true);
    }

    /** Stops every worker (letting handlers in flight finish), then closes the connections. */
    @Override
    public void close() {
        synchronized (workers) {
            workers.forEach(Worker::close);
            workers.clear();
        }
        delayed.close(defaults.stopTimeout());
        publisher.drain(defaults.stopTimeout());
        publisher.close();
        consumeConnection.close();
        publishConnection.close();
        adminConnection.close();
        handlers.shutdownNow();
    }
}
