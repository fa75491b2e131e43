package io.queueservice.worker;

import io.queueservice.broker.AmqpNames;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.Topology;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.validation.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Declares what a worker needs and starts it (used by the client; kept apart so the Worker stays about consuming). */
public final class Workers {
    private Workers() {}

    /**
     * {@link #declareRetryTopology(Topology, String, RetryConfig, QueueType)} with the topology's default
     * queue type.
     */
    public static void declareRetryTopology(Topology topology, String queue, RetryConfig retry) {
        declareRetryTopology(topology, queue, retry, topology.defaultQueueType().orElse(null));
    }

    /**
     * Declares the dead-letter queue {@code <queue>.dlq} and one retry queue {@code <queue>.retry.<ms>} per
     * step of the schedule: durable, each step's messages expiring after its delay and dead-lettered back
     * to the work queue through the default exchange. Idempotent.
     *
     * @param queueType their type (quorum retry queues expire and dead-letter alike, RabbitMQ 3.10+); null
     *     for the topology's default
     * @throws io.queueservice.broker.ResourceConflictException when one exists with another type or other
     *     arguments
     */
    public static void declareRetryTopology(Topology topology, String queue, RetryConfig retry, QueueType queueType) {
        RetrySchedule schedule = new RetrySchedule(queue, retry);
        String longest =
                schedule.retryQueue(schedule.steps().get(schedule.steps().size() - 1));
        if (longest.getBytes(StandardCharsets.UTF_8).length > AmqpNames.MAX_SHORT_STRING_BYTES) {
            throw new InvalidRequestException("queue", "is too long for its retry queues (" + longest + ")");
        }
        topology.declareQueue(QueueSpec.durable(schedule.deadLetterQueue()).withDefaultType(queueType));
        for (Duration step : schedule.steps()) {
            // Back to the work queue, through the default exchange, once the step's delay is over.
            QueueSpec retryQueue = QueueSpec.builder(schedule.retryQueue(step))
                    .deadLetterExchange("")
                    .deadLetterRoutingKey(queue)
                    .messageTtl(step.toMillis())
                    .build();
            topology.declareQueue(retryQueue.withDefaultType(queueType));
        }
    }

    /** Starts a worker on a queue whose topology is declared. */
    public static Worker start(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            String queue,
            MessageHandler handler,
            WorkerOptions options,
            WorkerMetrics metrics) {
        Worker w = new Worker(connection, publisher, queue, handler, options, metrics);
        w.start();
        return w;
    }

    /**
     * Starts a worker with an asynchronous handler on a queue whose topology is declared (see {@link
     * AsyncMessageHandler} for the threads it runs on).
     */
    public static Worker startAsync(
            BrokerConnection connection,
            ConfirmingPublisher publisher,
            String queue,
            AsyncMessageHandler handler,
            WorkerOptions options,
            WorkerMetrics metrics) {
        Worker w = new Worker(connection, publisher, queue, handler, options, metrics);
        w.start();
        return w;
    }
}
