package io.queueservice.redrive;

import io.queueservice.broker.AmqpNames;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.metrics.RedriveMetrics;
import io.queueservice.publish.Publisher;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs redrives ({@link RedriveTask}), each on a thread of its own, one per queue at a time. Keeps the running
 * ones and the last {@value #KEPT_FINISHED} finished ones in memory: a redrive is known to the instance that runs
 * it, until that instance stops.
 */
public final class Redriver implements RedriveOperations, AutoCloseable {
    static final int KEPT_FINISHED = 100;

    private final BrokerConnection connection;
    private final Publisher publisher;
    private final RedriveMetrics metrics;
    private final Clock clock;
    private final Map<String, RedriveTask> byId = new ConcurrentHashMap<>();
    private final Map<String, RedriveTask> runningByQueue = new ConcurrentHashMap<>();
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "redrive-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    /**
     * @param connection consumes the queues (a connection of its own is best: a redrive then never holds up the
     *     API's publishing or topology work)
     * @param publisher republishes the messages, with confirms; on {@code connection} too, so that losing it
     *     settles everything in flight
     */
    public Redriver(BrokerConnection connection, Publisher publisher, RedriveMetrics metrics) {
        this(connection, publisher, metrics, Clock.systemUTC());
    }

    Redriver(BrokerConnection connection, Publisher publisher, RedriveMetrics metrics, Clock clock) {
        this.connection = connection;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public RedriveStatus start(String queue, RedriveRequest request) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkReference("name", queue, v);
        try {
            request.validate();
        } catch (InvalidRequestException e) {
            v.addAll(e.violations());
        }
        InvalidRequestException.throwIfAny(v);
        RedriveTask task =
                new RedriveTask(UUID.randomUUID().toString(), queue, request, connection, publisher, metrics, clock);
        RedriveTask running = runningByQueue.putIfAbsent(queue, task);
        if (running != null) {
            throw new ResourceConflictException(
                    "redrive " + running.id() + " of queue '" + queue + "' is running; cancel it or wait for it", null);
        }
        try {
            task.open();
        } catch (RuntimeException e) {
            runningByQueue.remove(queue, task);
            throw e;
        }
        byId.put(task.id(), task);
        forgetOldest();
        threads.execute(() -> {
            try {
                task.run();
            } finally {
                runningByQueue.remove(queue, task);
            }
        });
        return task.status();
    }

    @Override
    public Optional<RedriveStatus> find(String id) {
        return Optional.ofNullable(byId.get(id)).map(RedriveTask::status);
    }

    @Override
    public List<RedriveStatus> list() {
        return byId.values().stream()
                .map(RedriveTask::status)
                .sorted(Comparator.comparing(RedriveStatus::startedAt).reversed())
                .toList();
    }

    @Override
    public RedriveStatus cancel(String id) {
        RedriveTask task = byId.get(id);
        if (task == null) {
            throw new ResourceNotFoundException("redrive", id);
        }
        task.cancel();
        return task.status();
    }

    /** Keeps at most {@value #KEPT_FINISHED} finished redrives. */
    private void forgetOldest() {
        List<RedriveStatus> finished = byId.values().stream()
                .filter(t -> !t.isRunning())
                .map(RedriveTask::status)
                .sorted(Comparator.comparing(RedriveStatus::startedAt))
                .toList();
        for (int i = 0; i < finished.size() - KEPT_FINISHED; i++) {
            byId.remove(finished.get(i).id());
        }
    }

    /**
     * Cancels the running redrives and waits, at most {@code timeout}, for them to settle what they have in flight.
     *
     * @return true when they all stopped in time
     */
    public boolean stop(Duration timeout) {
        runningByQueue.values().forEach(RedriveTask::cancel);
        threads.shutdown();
        try {
            return threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
        threads.shutdownNow();
    }
}
