package io.queueservice.worker;

import io.queueservice.broker.QueueType;
import io.queueservice.config.BreakerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.RetryConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How a worker consumes.
 *
 * @param prefetch messages delivered to each consumer ahead of being handled
 * @param concurrency consumers (each on its own channel, handling one message at a time)
 * @param permanentFailures exception types that mean "never processable": dead-lettered at once, not retried
 * @param stopTimeout on stop, how long handlers in flight may take to finish
 * @param queueType the type of the queues the worker declares: its work queue when missing, its retry queues
 *     and its dead-letter queue ({@code DEFAULT_QUEUE_TYPE}); null for the broker's default
 */
public record WorkerOptions(
        int prefetch,
        int concurrency,
        RetryConfig retry,
        BreakerConfig breaker,
        Set<Class<? extends Throwable>> permanentFailures,
        Duration stopTimeout,
        QueueType queueType) {

    public WorkerOptions {
        if (prefetch < 1 || concurrency < 1) {
            throw new IllegalArgumentException("prefetch and concurrency must be at least 1");
        }
        if (queueType == QueueType.STREAM) {
            throw new IllegalArgumentException("a worker's queues are classic or quorum queues, not streams");
        }
        permanentFailures = Set.copyOf(permanentFailures);
    }

    /**
     * Reads {@code WORKER_PREFETCH} (10), {@code WORKER_CONCURRENCY} (1), {@code WORKER_STOP_TIMEOUT} (ms,
     * 30000), {@code DEFAULT_QUEUE_TYPE} (unset: the broker's default), the retry settings ({@code
     * MAX_RETRIES}, ...) and the circuit breaker's.
     */
    public static WorkerOptions from(ConfigReader env) {
        return new WorkerOptions(
                env.integer("WORKER_PREFETCH", 10, 1, 10_000),
                env.integer("WORKER_CONCURRENCY", 1, 1, 256),
                RetryConfig.from(env),
                BreakerConfig.from(env),
                Set.of(),
                Duration.ofMillis(env.longValue("WORKER_STOP_TIMEOUT", 30_000, 0, 600_000)),
                QueueType.defaultFrom(env));
    }

    /** The defaults of every setting. */
    public static WorkerOptions defaults() {
        return from(new ConfigReader(Map.of()));
    }

    /** These options, with exception types that are dead-lettered at once instead of retried. */
    @SafeVarargs
    public final WorkerOptions withPermanentFailures(Class<? extends Throwable>... types) {
        return new WorkerOptions(prefetch, concurrency, retry, breaker, Set.of(types), stopTimeout, queueType);
    }

    public WorkerOptions withRetry(RetryConfig retry) {
        return new WorkerOptions(prefetch, concurrency, retry, breaker, permanentFailures, stopTimeout, queueType);
    }

    public WorkerOptions withBreaker(BreakerConfig breaker) {
        return new WorkerOptions(prefetch, concurrency, retry, breaker, permanentFailures, stopTimeout, queueType);
    }

    /** These options with another type for the queues the worker declares (null: the broker's default). */
    public WorkerOptions withQueueType(QueueType type) {
        return new WorkerOptions(prefetch, concurrency, retry, breaker, permanentFailures, stopTimeout, type);
    }

    public WorkerOptions withConcurrency(int consumers, int prefetch) {
        return new WorkerOptions(prefetch, consumers, retry, breaker, permanentFailures, stopTimeout, queueType);
    }
}
