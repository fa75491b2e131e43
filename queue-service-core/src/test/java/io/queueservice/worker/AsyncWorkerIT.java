package io.queueservice.worker;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BreakerConfig;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.testing.SharedBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workers with an asynchronous handler against the shared broker: every message settled once, at most
 * {@code concurrency} in flight, retries and dead-lettering, pause, stop, and grouped acknowledgements that
 * never settle a message still in flight.
 */
class AsyncWorkerIT {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();
    /** Completes the handlers' stages on threads of its own, as an HTTP client's event loop would. */
    private final ScheduledExecutorService downstream = Executors.newScheduledThreadPool(2);

    private Connection probe;
    private QueueClient client;

    @BeforeEach
    void connect() {
        probe = SharedBroker.connect();
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        client = new QueueClient(
                "async-worker-it",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                WorkerOptions.defaults(),
                PublishMetrics.NO_OP,
                WorkerMetrics.NO_OP);
    }

    @AfterEach
    void cleanUp() throws Exception {
        client.close();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        downstream.shutdownNow();
        try (Channel ch = probe.createChannel()) {
            for (String q : queues) {
                ch.queueDelete(q);
            }
        }
        probe.close();
    }

    private String workQueue(RetryConfig retry) {
        String q = uniqueName("async-work");
        queues.add(q);
        queues.add(RetrySchedule.deadLetterQueue(q));
        new RetrySchedule(q, retry).steps().forEach(step -> queues.add(RetrySchedule.retryQueue(q, step)));
        return q;
    }

    private static final RetryConfig RETRY = new RetryConfig(2, Duration.ofMillis(100), Duration.ofMillis(200));

    private void publish(String queue, String body) {
        client.publish("", queue, body).join();
    }

    private long depth(String queue) throws Exception {
        try (Channel ch = probe.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Stages completed by {@link #later}, counted once what their completion set off (the settling) is done. */
    private final AtomicInteger completed = new AtomicInteger();

    /** An outcome a moment later, from another thread. */
    private CompletableFuture<Outcome> later(Outcome outcome, long millis) {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        downstream.schedule(
                () -> {
                    f.complete(outcome);
                    completed.incrementAndGet();
                },
                millis,
                TimeUnit.MILLISECONDS);
        return f;
    }

    @Test
    void everyMessageIsHandledOnceWithAtMostConcurrencyInFlightAndAcknowledged() throws Exception {
        String queue = workQueue(RETRY);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        Worker worker = client.consumeAsync(
                queue,
                m -> {
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    if (!handled.add(m.bodyAsString())) {
                        duplicates.incrementAndGet();
                    }
                    CompletableFuture<Outcome> f = new CompletableFuture<>();
                    downstream.schedule(
                            () -> {
                                inFlight.decrementAndGet();
                                f.complete(Outcome.ack());
                            },
                            1,
                            TimeUnit.MILLISECONDS);
                    return f;
                },
                WorkerOptions.defaults().withRetry(RETRY).withConcurrency(3, 20));
        for (int i = 0; i < 600; i++) {
            publish(queue, "m" + i);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 600);
        assertThat(duplicates).hasValue(0);
        assertThat(mostInFlight.get()).isEqualTo(3);
        // Closing the channels would hand back anything not acknowledged.
        worker.close();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).until(() -> depth(queue) == 0);
    }

    @Test
    void aFailedStageOrAThrowingHandlerIsRetriedThenDeadLetteredAndPermanentFailuresAtOnce() throws Exception {
        String queue = workQueue(RETRY);
        Map<String, List<Integer>> attempts = new ConcurrentHashMap<>();
        client.consumeAsync(
                queue,
                m -> {
                    String body = m.bodyAsString();
                    attempts.computeIfAbsent(body, b -> new CopyOnWriteArrayList<>())
                            .add(m.attempt());
                    if (body.contains("throws")) {
                        throw new IllegalStateException("refused at once");
                    }
                    if (body.contains("permanent")) {
                        return CompletableFuture.failedFuture(new IllegalArgumentException("unknown template"));
                    }
                    return later(null, 1)
                            .thenCompose(x ->
                                    CompletableFuture.failedFuture(new IllegalStateException("the downstream failed")));
                },
                WorkerOptions.defaults().withRetry(RETRY).withPermanentFailures(IllegalArgumentException.class));

        publish(queue, "fails");
        publish(queue, "throws");
        publish(queue, "permanent");

        String dlq = RetrySchedule.deadLetterQueue(queue);
        await().atMost(Duration.ofSeconds(15)).until(() -> depth(dlq) == 3);
        assertThat(attempts.get("\"fails\"")).containsExactly(1, 2, 3);
        assertThat(attempts.get("\"throws\"")).containsExactly(1, 2, 3);
        assertThat(attempts.get("\"permanent\"")).containsExactly(1);
        Map<String, Map<String, Object>> dead = new ConcurrentHashMap<>();
        try (Channel ch = probe.createChannel()) {
            for (int i = 0; i < 3; i++) {
                GetResponse r = ch.basicGet(dlq, true);
                dead.put(new String(r.getBody()), r.getProps().getHeaders());
            }
        }
        assertThat(dead.get("\"fails\"").get(FailureHeaders.EXCEPTION_MESSAGE).toString())
                .isEqualTo("the downstream failed");
        assertThat(dead.get("\"fails\"").get(FailureHeaders.REASON).toString())
                .contains("retries exhausted after 3 attempts");
        assertThat(dead.get("\"throws\"").get(FailureHeaders.EXCEPTION_MESSAGE).toString())
                .isEqualTo("refused at once");
        assertThat(dead.get("\"permanent\"").get(FailureHeaders.REASON).toString())
                .contains("permanent failure");
        assertThat(depth(queue)).isZero();
    }

    @Test
    void aStageCompletedWithNoOutcomeIsAFailedAttempt() throws Exception {
        String queue = workQueue(RETRY);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        client.consumeAsync(
                queue,
                m -> {
                    attempts.add(m.attempt());
                    return m.attempt() == 1 ? later(null, 1) : later(Outcome.ack(), 1);
                },
                WorkerOptions.defaults().withRetry(RETRY));
        publish(queue, "x");

        await().atMost(Duration.ofSeconds(10)).until(() -> attempts.size() == 2);
        assertThat(attempts).containsExactly(1, 2);
        assertThat(depth(RetrySchedule.deadLetterQueue(queue))).isZero();
    }

    @Test
    void aPausedWorkerHandsBackWhatWaitsAndTakesNothingUntilResumed() throws Exception {
        String queue = workQueue(RETRY);
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicReference<Worker> self = new AtomicReference<>();
        AtomicBoolean gone = new AtomicBoolean(true);
        Worker worker = client.consumeAsync(
                queue,
                m -> {
                    if (gone.get()) {
                        self.get().pause();
                        return later(Outcome.requeue(), 1);
                    }
                    handled.add(m.bodyAsString() + "@" + m.attempt());
                    return later(Outcome.ack(), 1);
                },
                WorkerOptions.defaults().withRetry(RETRY));
        self.set(worker);
        for (int i = 0; i < 5; i++) {
            publish(queue, "p" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(worker::isPaused);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> depth(queue) == 5);
        assertThat(handled).isEmpty();

        gone.set(false);
        worker.resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 5);
        assertThat(handled).allMatch(h -> h.endsWith("@1"));
    }

    @Test
    void stopWaitsForTheMessageInFlightAndAcknowledgesIt() throws Exception {
        String queue = workQueue(RETRY);
        AtomicBoolean started = new AtomicBoolean();
        List<String> finished = new CopyOnWriteArrayList<>();
        Worker worker = client.consumeAsync(
                queue,
                m -> {
                    started.set(true);
                    return later(Outcome.ack(), 1000).thenApply(o -> {
                        finished.add(m.bodyAsString());
                        return o;
                    });
                },
                WorkerOptions.defaults().withRetry(RETRY));
        publish(queue, "slow");
        await().atMost(Duration.ofSeconds(5)).untilTrue(started);

        worker.close();

        assertThat(finished).containsExactly("\"slow\"");
        assertThat(depth(queue)).as("acknowledged, not handed back").isZero();
        publish(queue, "after stop");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> depth(queue) == 1);
    }

    @Test
    void groupedAcknowledgementsNeverSettleAMessageStillInFlight() throws Exception {
        String queue = workQueue(RETRY);
        client.createQueue(queue);
        Workers.declareRetryTopology(client.topology(), queue, RETRY);
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        BrokerConnection doomed = new BrokerConnection(BrokerConfig.from(env), "doomed-worker", Duration.ofSeconds(5));
        doomed.start();
        toClose.add(doomed);
        CompletableFuture<Outcome> stuck = new CompletableFuture<>();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicReference<Worker> self = new AtomicReference<>();
        // One consumer, one channel: after the pause, the next consumer takes messages on the channel where the
        // first one's message is still in flight.
        WorkerOptions options = new WorkerOptions(
                10,
                1,
                RETRY,
                new BreakerConfig(50, 100, 100, Duration.ofSeconds(30)),
                Set.of(),
                Duration.ofSeconds(1),
                null);
        Worker worker = Workers.startAsync(
                doomed,
                null,
                queue,
                m -> {
                    handled.add(m.bodyAsString());
                    if (m.bodyAsString().equals("\"stuck\"")) {
                        self.get().pause();
                        return stuck;
                    }
                    return later(Outcome.ack(), 1);
                },
                options,
                WorkerMetrics.NO_OP);
        self.set(worker);
        publish(queue, "stuck");
        await().atMost(Duration.ofSeconds(5)).until(worker::isPaused);
        worker.resume();
        for (int i = 0; i < 50; i++) {
            publish(queue, "q" + i);
        }
        // Settled, and their acknowledgements sent, on the thread that completed their stages.
        await().atMost(Duration.ofSeconds(10)).until(() -> completed.get() == 50);
        assertThat(handled).hasSize(51);
        worker.pause(); // so that it does not take the message back once reconnected
        await().atMost(Duration.ofSeconds(5)).until(worker::isPaused);

        doomed.require().abort(); // like kill -9, with the first message still in flight

        await().atMost(Duration.ofSeconds(5)).until(() -> depth(queue) >= 1);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> depth(queue) == 1);
        try (Channel ch = probe.createChannel()) {
            GetResponse back = ch.basicGet(queue, true);
            assertThat(new String(back.getBody())).isEqualTo("\"stuck\"");
            assertThat(back.getEnvelope().isRedeliver()).isTrue();
        }
        stuck.complete(Outcome.ack());
        worker.close();
    }
}
