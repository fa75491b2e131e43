package io.queueservice.worker;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Workers against the shared broker: retries, backoff, dead-lettering, circuit breaker, redelivery. */
class WorkerIT {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();
    private Connection probe;
    private QueueClient client;

    @BeforeEach
    void connect() {
        probe = SharedBroker.connect();
        client = newClient();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        client.close();
        try (Channel ch = probe.createChannel()) {
            for (String q : queues) {
                ch.queueDelete(q);
            }
        }
        probe.close();
    }

    private QueueClient newClient() {
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        QueueClient c = new QueueClient(
                "worker-it",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                WorkerOptions.defaults(),
                PublishMetrics.NO_OP,
                WorkerMetrics.NO_OP);
        return c;
    }

    /** A fresh work queue whose retry and dead-letter queues are deleted after the test. */
    private String workQueue(RetryConfig retry) {
        String q = uniqueName("work");
        queues.add(q);
        queues.add(RetrySchedule.deadLetterQueue(q));
        new RetrySchedule(q, retry).steps().forEach(step -> queues.add(RetrySchedule.retryQueue(q, step)));
        return q;
    }

    private static WorkerOptions options(RetryConfig retry) {
        return WorkerOptions.defaults().withRetry(retry);
    }

    private void publish(String queue, String body) {
        client.publish("", queue, body).join();
    }

    private GetResponse awaitMessage(String queue, Duration within) {
        List<GetResponse> got = new ArrayList<>();
        await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
            try (Channel ch = probe.createChannel()) {
                GetResponse r = ch.basicGet(queue, true);
                if (r != null) {
                    got.add(r);
                }
            }
            return !got.isEmpty();
        });
        return got.get(0);
    }

    private long depth(String queue) throws Exception {
        try (Channel ch = probe.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    @Test
    void poisonMessageIsDeadLetteredAfterExactlyMaxRetriesFollowingTheSchedule() {
        RetryConfig retry = new RetryConfig(3, Duration.ofMillis(300), Duration.ofMillis(1200));
        String queue = workQueue(retry);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        List<Long> times = new CopyOnWriteArrayList<>();
        client.consume(
                queue,
                m -> {
                    attempts.add(m.attempt());
                    times.add(System.nanoTime());
                    throw new IllegalStateException("downstream says no");
                },
                options(retry));

        publish(queue, "poison");

        GetResponse dead = awaitMessage(RetrySchedule.deadLetterQueue(queue), Duration.ofSeconds(15));
        assertThat(attempts).containsExactly(1, 2, 3, 4); // the first delivery and exactly MAX_RETRIES retries
        RetrySchedule schedule = new RetrySchedule(queue, retry);
        for (int n = 1; n <= 3; n++) {
            long gapMs = TimeUnit.NANOSECONDS.toMillis(times.get(n) - times.get(n - 1));
            long step = schedule.baseDelay(n).toMillis(); // 300, 600, 1200
            assertThat(gapMs).as("delay before retry %d", n).isBetween(step / 2 - 50, step + 1500);
        }
        Map<String, Object> h = dead.getProps().getHeaders();
        assertThat(new String(dead.getBody())).isEqualTo("\"poison\"");
        assertThat(h.get(FailureHeaders.ATTEMPT)).isEqualTo(4);
        assertThat(h.get(FailureHeaders.REASON).toString()).contains("retries exhausted after 4 attempts");
        assertThat(h.get(FailureHeaders.EXCEPTION_CLASS).toString()).isEqualTo(IllegalStateException.class.getName());
        assertThat(h.get(FailureHeaders.EXCEPTION_MESSAGE).toString()).isEqualTo("downstream says no");
        assertThat(h.get(FailureHeaders.ORIGINAL_EXCHANGE).toString()).isEmpty();
        assertThat(h.get(FailureHeaders.ORIGINAL_ROUTING_KEY).toString()).isEqualTo(queue);
        assertThat(h).containsKeys(FailureHeaders.FIRST_FAILED_AT, FailureHeaders.LAST_FAILED_AT);
        assertThat(dead.getProps().getExpiration()).isNull();
    }

    @Test
    void aShortRetryIsNotHeldUpByALongOne() {
        RetryConfig retry = new RetryConfig(3, Duration.ofMillis(200), Duration.ofSeconds(10));
        String queue = workQueue(retry);
        Map<String, Long> secondAttemptAt = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        client.consume(
                queue,
                m -> {
                    String body = m.bodyAsString();
                    if (m.attempt() == 1) {
                        return Outcome.retry(body.contains("slow") ? Duration.ofSeconds(8) : Duration.ofMillis(200));
                    }
                    secondAttemptAt.put(body, System.nanoTime() - start);
                    return Outcome.ack();
                },
                options(retry));

        publish(queue, "slow");
        publish(queue, "fast");

        await().atMost(Duration.ofSeconds(5)).until(() -> secondAttemptAt.containsKey("\"fast\""));
        assertThat(secondAttemptAt).doesNotContainKey("\"slow\"");
        assertThat(TimeUnit.NANOSECONDS.toMillis(secondAttemptAt.get("\"fast\"")))
                .isLessThan(3000);
    }

    @Test
    void handlerDecisionsAndPermanentFailuresAreDeadLetteredAtOnceWithTheirReason() {
        RetryConfig retry = new RetryConfig(5, Duration.ofMillis(200), Duration.ofSeconds(1));
        String queue = workQueue(retry);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        client.consume(
                queue,
                m -> {
                    attempts.add(m.attempt());
                    if (m.bodyAsString().contains("invalid")) {
                        return Outcome.deadLetter("no recipient");
                    }
                    throw new IllegalArgumentException("unknown template 'nope'");
                },
                options(retry).withPermanentFailures(IllegalArgumentException.class));

        publish(queue, "invalid");
        GetResponse first = awaitMessage(RetrySchedule.deadLetterQueue(queue), Duration.ofSeconds(5));
        publish(queue, "permanent");
        GetResponse second = awaitMessage(RetrySchedule.deadLetterQueue(queue), Duration.ofSeconds(5));

        assertThat(attempts).containsExactly(1, 1);
        assertThat(first.getProps().getHeaders().get(FailureHeaders.REASON).toString())
                .isEqualTo("no recipient");
        assertThat(second.getProps().getHeaders().get(FailureHeaders.REASON).toString())
                .contains("permanent failure");
        assertThat(second.getProps()
                        .getHeaders()
                        .get(FailureHeaders.EXCEPTION_MESSAGE)
                        .toString())
                .isEqualTo("unknown template 'nope'");
    }

    @Test
    void openCircuitPausesConsumptionAndResumesWhenTheDownstreamIsBack() throws Exception {
        RetryConfig retry = new RetryConfig(10, Duration.ofMillis(300), Duration.ofMillis(300));
        String queue = workQueue(retry);
        AtomicBoolean downstreamUp = new AtomicBoolean(false);
        Set<String> done = ConcurrentHashMap.newKeySet();
        WorkerOptions opts = options(retry)
                .withBreaker(new BreakerConfig(50, 4, 4, Duration.ofSeconds(3)))
                .withConcurrency(1, 1);
        Worker worker = client.consume(
                queue,
                m -> {
                    if (!downstreamUp.get()) {
                        throw new IllegalStateException("SMTP down");
                    }
                    done.add(m.bodyAsString());
                    return Outcome.ack();
                },
                opts);
        for (int i = 0; i < 20; i++) {
            publish(queue, "m" + i);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> worker.circuitState() == CircuitBreaker.State.OPEN);
        // Paused: the rest waits in the queue, untouched (no attempt spent on it).
        long waiting = depth(queue);
        assertThat(waiting).isGreaterThanOrEqualTo(14);
        // For half a second, well within the open wait: nothing may be consumed meanwhile.
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> depth(queue) >= waiting);
        try (Channel ch = probe.createChannel()) {
            GetResponse peek = ch.basicGet(queue, false);
            assertThat(peek.getProps().getHeaders() == null
                            || !peek.getProps().getHeaders().containsKey(FailureHeaders.ATTEMPT))
                    .as("a message waiting in the queue keeps its attempt count")
                    .isTrue();
            ch.basicNack(peek.getEnvelope().getDeliveryTag(), false, true);
        }

        downstreamUp.set(true);

        await().atMost(Duration.ofSeconds(20)).until(() -> done.size() == 20);
        assertThat(worker.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(depth(RetrySchedule.deadLetterQueue(queue))).isZero();
    }

    @Test
    void aMessageOfAWorkerKilledMidwayIsRedeliveredToAnother() throws Exception {
        RetryConfig retry = new RetryConfig(3, Duration.ofMillis(200), Duration.ofSeconds(1));
        String queue = workQueue(retry);
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        BrokerConnection doomed = new BrokerConnection(BrokerConfig.from(env), "doomed-worker", Duration.ofSeconds(5));
        doomed.start();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        client.createQueue(queue);
        Workers.declareRetryTopology(client.topology(), queue, retry);
        Worker first = Workers.start(
                doomed,
                null,
                queue,
                m -> {
                    started.countDown();
                    never.await(); // stuck in the downstream when the process dies
                    return Outcome.ack();
                },
                options(retry),
                WorkerMetrics.NO_OP);
        toClose.add(doomed);
        List<Message> second = new CopyOnWriteArrayList<>();

        publish(queue, "job");
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        client.consume(
                queue,
                m -> {
                    second.add(m);
                    return Outcome.ack();
                },
                options(retry));
        doomed.require().abort(); // like kill -9: no ack, the socket just goes away

        await().atMost(Duration.ofSeconds(10)).until(() -> !second.isEmpty());
        assertThat(second).hasSize(1);
        assertThat(second.get(0).bodyAsString()).isEqualTo("\"job\"");
        assertThat(second.get(0).redelivered()).isTrue();
        never.countDown();
        first.close();
    }

    @Test
    void stopLetsTheHandlerInFlightFinishAndSettlesItsMessage() throws Exception {
        RetryConfig retry = new RetryConfig(3, Duration.ofMillis(200), Duration.ofSeconds(1));
        String queue = workQueue(retry);
        CountDownLatch started = new CountDownLatch(1);
        List<String> finished = new CopyOnWriteArrayList<>();
        Worker worker = client.consume(
                queue,
                m -> {
                    started.countDown();
                    Thread.sleep(1000); // a slow downstream call in flight when the stop comes
                    finished.add(m.bodyAsString());
                    return Outcome.ack();
                },
                options(retry));
        publish(queue, "slow");
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

        worker.close();

        assertThat(finished).containsExactly("\"slow\"");
        assertThat(depth(queue)).as("acknowledged, not handed back").isZero();
        publish(queue, "after stop");
        // nothing consumes it any more
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> depth(queue) == 1);
    }

    @Test
    void aRetryAtLeastWaitsForItsMinimumBeyondTheScheduleUpToTheMaximum() {
        RetryConfig retry = new RetryConfig(3, Duration.ofMillis(100), Duration.ofMillis(1500));
        String queue = workQueue(retry);
        List<Long> times = new CopyOnWriteArrayList<>();
        client.consume(
                queue,
                m -> {
                    times.add(System.nanoTime());
                    // The schedule alone would wait about 100 ms.
                    return m.attempt() == 1 ? Outcome.retryAtLeast(Duration.ofSeconds(1)) : Outcome.ack();
                },
                options(retry));
        publish(queue, "later");
        await().atMost(Duration.ofSeconds(10)).until(() -> times.size() == 2);
        assertThat(Duration.ofNanos(times.get(1) - times.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aRetryThatSaysWhatWentWrongIsDeadLetteredWithItsReasonAndHeaders() throws Exception {
        RetryConfig retry = new RetryConfig(1, Duration.ofMillis(100), Duration.ofMillis(200));
        String queue = workQueue(retry);
        client.consume(
                queue,
                m -> Outcome.retry()
                        .because(
                                "the endpoint answered HTTP 500 (attempt " + m.attempt() + ")",
                                Map.of("qs-test-status", "500", "qs-test-attempt", Integer.toString(m.attempt()))),
                options(retry));
        publish(queue, "doomed");
        GetResponse dead = awaitMessage(RetrySchedule.deadLetterQueue(queue), Duration.ofSeconds(10));
        Map<String, Object> h = dead.getProps().getHeaders();
        assertThat(h.get(FailureHeaders.REASON).toString())
                .isEqualTo("retries exhausted after 2 attempts; last: the endpoint answered HTTP 500 (attempt 2)");
        assertThat(h.get("qs-test-status").toString()).isEqualTo("500");
        assertThat(h.get("qs-test-attempt").toString()).isEqualTo("2");
    }

    @Test
    void aPausedWorkerTakesNothingUntilResumedAndARequeuedMessageKeepsItsAttempt() throws Exception {
        RetryConfig retry = new RetryConfig(3, Duration.ofMillis(100), Duration.ofMillis(200));
        String queue = workQueue(retry);
        List<String> handled = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Worker> self = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean(true);
        Worker worker = client.consume(
                queue,
                m -> {
                    if (gone.get()) {
                        self.get().pause(); // the downstream is gone for now
                        return Outcome.requeue();
                    }
                    handled.add(m.bodyAsString() + "@" + m.attempt());
                    return Outcome.ack();
                },
                options(retry));
        self.set(worker);
        publish(queue, "a");
        publish(queue, "b");
        await().atMost(Duration.ofSeconds(5)).until(worker::isPaused);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> depth(queue) == 2);
        assertThat(handled).isEmpty();

        gone.set(false);
        worker.resume();
        await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 2);
        assertThat(handled).containsExactlyInAnyOrder("\"a\"@1", "\"b\"@1");
    }
}
