package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.config.RetryConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.testing.PrivateRabbitCluster;
import io.queueservice.testing.PrivateRabbitNode;
import io.queueservice.worker.Message;
import io.queueservice.worker.Outcome;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import io.queueservice.worker.Workers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The fault suite on a private three-node cluster (scenarios 2, 3 and 6 of docs/reliability.md): nodes
 * killed with SIGKILL or frozen with SIGSTOP under load through the HTTP API, quorum queues declared
 * through the API, the service given all three nodes in RABBITMQ_URL. Pass: every id answered 2xx is
 * consumed at least once (duplicates are reported), no request outlives its timeout, and the service
 * recovers by itself within {@link #RECOVERY_BOUND}.
 *
 * <p>One cluster for the class (forming one takes 20-60 s); each test leaves it healed.
 *
 * <p>Part of the default suite (about 4 minutes on a two-core machine); QS_CLUSTER_FAULTS=0 skips it, for quick
 * local runs. RabbitMQ 3.10.8 needs help twice, and the notes say when it got it: a node resumed after SIGSTOP usually
 * stays in a recorded partition until its app is restarted ({@link PrivateRabbitCluster#heal()}), and the
 * at-least-once dead-letter worker sometimes does not resume on a new leader (scenario 6b).
 */
@DisabledIfEnvironmentVariable(named = "QS_CLUSTER_FAULTS", matches = "0")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
// The SIGSTOP scenario last: a node resumed after a long freeze sometimes needs its app restarted to
// leave a recorded partition (see PrivateRabbitCluster.heal), which is best not carried into others.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
// Runs beside the other test classes (it mostly waits for its private cluster), its scenarios one after the other.
@Execution(ExecutionMode.CONCURRENT)
class ClusterFaultIT {
    /** The service's publish timeout (REQUEST_TIMEOUT, its default); a request slower than this plus a margin hangs. */
    private static final Duration HANG_BOUND = Duration.ofSeconds(5 + 10);

    /**
     * The longest the service may take to answer 2xx again after a fault began: a new quorum leader (a few
     * seconds), a lost connection noticed by heartbeats (RABBITMQ_HEARTBEAT=5: 10-15 s) and a reconnection.
     */
    private static final Duration RECOVERY_BOUND = Duration.ofSeconds(45);

    /** How the paused node is frozen: longer than net_ticktime (15 s), so the others declare it down. */
    private static final Duration PAUSE = Duration.ofSeconds(30);

    private static final String PUBLISH_CONNECTION = "queue-service-publish";
    private static final int PUBLISHERS = 4;
    private static final int MAX_PER_PUBLISHER = 5_000;

    private static PrivateRabbitCluster cluster;

    private RunningService service;
    private ApiClient api;

    @BeforeAll
    static void startCluster() {
        cluster = PrivateRabbitCluster.start("faults");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void startService() {
        // A short heartbeat, as recommended with a cluster: a frozen node is left within ~15 s.
        service = RunningService.start(cluster.amqpUrls(), Map.of("RABBITMQ_HEARTBEAT", "5"));
        api = service.api();
    }

    @AfterEach
    void healCluster() {
        if (service != null) {
            service.close();
        }
        cluster.heal(); // the next test starts from three running nodes
    }

    /** Scenario 2. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(2)
    void killingTheQuorumLeadersNodeUnderLoadLosesNoAcceptedMessage() {
        String queue = declareQuorumQueue(uniqueName("kill-leader"));
        PrivateRabbitNode leader = cluster.quorumLeader(queue);
        PrivateRabbitNode serviceNode = serviceConnectedTo(leader);
        String scenario = "2. kill -9 of the quorum leader's node"
                + (leader == serviceNode ? " (the service's node)" : " (not the service's node)") + ", restarted";

        PublishLoad load = PublishLoad.start(api, "", queue, PUBLISHERS, MAX_PER_PUBLISHER, queue, HANG_BOUND);
        PublishLoad.Result result;
        Duration recovery;
        Duration recoveryAfterRestart;
        Instant killedAt;
        try (load) {
            load.awaitMoreAccepted(200, Duration.ofSeconds(60));
            killedAt = leader.kill9(); // requests sent from here on find the node dead
            recovery = load.awaitRecovery(killedAt, RECOVERY_BOUND);
            // After a node died, the service keeps publishing through the others.
            try {
                load.awaitMoreAccepted(300, Duration.ofSeconds(60));
            } catch (ConditionTimeoutException e) {
                // Is it the service or the broker? Ask the queue directly, on a fresh connection.
                throw new AssertionError(e.getMessage() + "; a plain AMQP publish on a fresh connection to "
                        + cluster.survivor(leader).amqpUrl() + " now gets: "
                        + plainPublishOutcome(cluster.survivor(leader).amqpUrl(), queue)
                        + "; failures since the kill: " + load.failuresSince(killedAt));
            }
            assertThat(leader.isRunning()).isFalse();
            PrivateRabbitNode newLeader = awaitLeader(queue);
            assertThat(newLeader).isNotSameAs(leader);
            if (leader == serviceNode) {
                assertThat(cluster.nodeWithConnection(PUBLISH_CONNECTION))
                        .as("the service moved its connection to a surviving node")
                        .isPresent()
                        .get()
                        .isNotSameAs(leader);
            }

            Instant restartedAt = Instant.now();
            leader.startAgain();
            cluster.heal(); // waits until it has rejoined
            recoveryAfterRestart = load.awaitRecovery(restartedAt, RECOVERY_BOUND);
            result = load.stop();
        }
        System.out.println("RELIABILITY-NOTE scenario 2: first 2xx " + recoveryAfterRestart.toMillis()
                + " ms after the restart began; failures since the kill: " + load.failuresSince(killedAt));
        assertAllAcceptedConsumed(scenario, queue, result, recovery, leader);
    }

    /** Scenario 3. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(4)
    void freezingANodeForThirtySecondsLosesNoAcceptedMessage() {
        String queue = declareQuorumQueue(uniqueName("pause"));
        PrivateRabbitNode leader = cluster.quorumLeader(queue);
        // The worst case again: the service leaves the frozen node (missed heartbeats) several seconds before the
        // others notice it and elect a new leader, so its new channels start while the queue's record still
        // names the frozen leader (what RabbitMQ 3.10 nacks on a channel while that node is down; see
        // PublisherChannel).
        PrivateRabbitNode serviceNode = serviceConnectedTo(leader);
        String scenario = "3. SIGSTOP for " + PAUSE.toSeconds() + " s of the service's node"
                + (leader == serviceNode ? " (also the quorum leader)" : " (not the quorum leader)") + ", SIGCONT";

        PublishLoad load = PublishLoad.start(api, "", queue, PUBLISHERS, MAX_PER_PUBLISHER, queue, HANG_BOUND);
        PublishLoad.Result result;
        Duration recovery;
        Duration recoveryAfterResume;
        Instant pausedAt;
        try (load) {
            load.awaitMoreAccepted(200, Duration.ofSeconds(60));
            pausedAt = serviceNode.pause(); // requests sent from here on find the node frozen
            try {
                // The service leaves the frozen node (missed heartbeats) and publishes through the others.
                recovery = load.awaitRecovery(pausedAt, RECOVERY_BOUND);
                sleepUntil(pausedAt.plus(PAUSE));
            } finally {
                serviceNode.resume();
            }
            Instant resumedAt = Instant.now();
            int restartsBefore = cluster.forcedRestarts();
            cluster.heal();
            if (cluster.forcedRestarts() > restartsBefore) {
                System.out.println("RELIABILITY-NOTE scenario 3: the resumed node did not rejoin by itself within"
                        + " 30 s and had its application restarted (RabbitMQ, not the service)");
            }
            recoveryAfterResume = load.awaitRecovery(resumedAt, RECOVERY_BOUND);
            result = load.stop();
        }
        System.out.println("RELIABILITY-NOTE scenario 3: first 2xx " + recoveryAfterResume.toMillis()
                + " ms after SIGCONT; failures since SIGSTOP: " + load.failuresSince(pausedAt));
        assertAllAcceptedConsumed(scenario, queue, result, recovery, serviceNode);
    }

    /** Scenario 6a: a worker dies mid-message (its connection aborted, as by kill -9) on a quorum queue. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(1)
    void aMessageOfAWorkerKilledMidwayIsRedeliveredAndHandled() throws Exception {
        String queue = declareQuorumQueue(uniqueName("worker-killed"));
        RetryConfig retry = new RetryConfig(3, Duration.ofMillis(200), Duration.ofSeconds(1));
        WorkerOptions options = WorkerOptions.defaults().withRetry(retry);
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", cluster.amqpUrls(), "RABBITMQ_HEARTBEAT", "5"));
        List<String> handled = new CopyOnWriteArrayList<>();
        List<Message> redelivered = new CopyOnWriteArrayList<>();
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger();

        try (QueueClient client = new QueueClient(
                        "cluster-fault-it",
                        BrokerConfig.from(env),
                        PublishConfig.from(env),
                        options,
                        PublishMetrics.NO_OP,
                        WorkerMetrics.NO_OP);
                BrokerConnection doomed =
                        new BrokerConnection(BrokerConfig.from(env), "doomed-worker", Duration.ofSeconds(5))) {
            Workers.declareRetryTopology(client.topology(), queue, retry);
            doomed.start();
            Worker first = Workers.start(
                    doomed,
                    null,
                    queue,
                    m -> {
                        if (seen.incrementAndGet() == 50) {
                            stuck.countDown();
                            never.await(); // stuck in the downstream when the process dies
                        }
                        handled.add(m.bodyAsString());
                        return Outcome.ack();
                    },
                    options,
                    WorkerMetrics.NO_OP);
            PublishLoad load = PublishLoad.start(api, "", queue, 2, 100, queue, HANG_BOUND);
            assertThat(stuck.await(60, TimeUnit.SECONDS))
                    .as("the first worker got 50 messages")
                    .isTrue();
            Worker second = client.consume(
                    queue,
                    m -> {
                        if (m.redelivered()) {
                            redelivered.add(m);
                        }
                        handled.add(m.bodyAsString());
                        return Outcome.ack();
                    },
                    options);
            Instant killedAt = Instant.now();
            doomed.require().abort(); // like kill -9 of the worker: no ack, the socket just goes away
            PublishLoad.Result result = load.finish(Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> result.accepted().stream().allMatch(id -> handled.contains("\"" + id + "\"")));
            // Here: how long until every accepted message was handled, the redelivered ones included.
            Duration recovery = Duration.between(killedAt, Instant.now());
            PublishLoad.Verdict.of("6a. worker killed mid-message (quorum queue, cluster)", result, handled, recovery)
                    .report()
                    .assertPassed();
            assertThat(redelivered).as("the message in flight was redelivered").isNotEmpty();
            first.close();
            second.close();
        } finally {
            never.countDown();
        }
    }

    /**
     * Scenario 6b: poison messages on a quorum queue with a delivery limit and at-least-once
     * dead-lettering, rejected again and again while the queue's leader node is killed.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    @Order(3)
    void poisonMessagesAllReachTheDeadLetterQueueWhileTheLeaderIsKilled() throws Exception {
        String queue = uniqueName("poison");
        String dlx = uniqueName("poison-dlx");
        String dlq = uniqueName("poison-dlq");
        assertThat(api.post("/api/v1/exchanges", json(Map.of("name", dlx, "type", "fanout")))
                        .status())
                .isEqualTo(201);
        declareQuorumQueue(dlq);
        assertThat(api.post("/api/v1/bindings", json(Map.of("queue", dlq, "exchange", dlx, "routingKey", "")))
                        .status())
                .isBetween(200, 201);
        var created = api.post(
                "/api/v1/queues",
                json(Map.of(
                        "name",
                        queue,
                        "options",
                        Map.of(
                                "type",
                                "quorum",
                                "deadLetterExchange",
                                dlx,
                                "overflow",
                                "reject-publish",
                                "arguments",
                                Map.of("x-delivery-limit", 2, "x-dead-letter-strategy", "at-least-once")))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);

        PublishLoad.Result result =
                PublishLoad.start(api, "", queue, 2, 150, queue, HANG_BOUND).finish(Duration.ofSeconds(120));
        assertThat(result.accepted()).hasSize(300);

        PrivateRabbitNode leader = cluster.quorumLeader(queue);
        PrivateRabbitNode consumerNode = cluster.survivor(leader);
        AtomicInteger rejections = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Thread rejecter = new Thread(() -> rejectForever(consumerNode, queue, rejections, stop), "poison-rejecter");
        rejecter.setDaemon(true);
        rejecter.start();
        int poisoned = result.accepted().size();
        Duration recovery;
        long whileDead;
        boolean kicked = false;
        List<String> deadLettered;
        try {
            Instant killedAt;
            try (BrokerProbe probe = new BrokerProbe(consumerNode.amqpUrl())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> rejections.get() >= 200);
                killedAt = leader.kill9();
                // The poison ids should reach the dead-letter queue while the old leader stays dead...
                whileDead = awaitDepth(probe, dlq, poisoned, Duration.ofSeconds(30));
            }
            if (whileDead < poisoned) {
                // ...but with RabbitMQ 3.10.8 the dead-letter worker sometimes does not resume on the new leader
                // (likely what rabbitmq-server#7677, in later releases, fixed): the discarded messages stay in
                // the source queue, which keeps them until the target confirms them. Bring the node back and
                // move the leadership once more (restart the rabbit app on the leader's node), as an operator
                // would: a new leader starts a new worker, and every id must then arrive.
                cluster.heal();
                PrivateRabbitNode current = cluster.quorumLeader(queue);
                current.rabbitmqctl("stop_app");
                current.rabbitmqctl("start_app");
                kicked = true;
            }
            // A new connection: the restart above may have closed the first one.
            try (BrokerProbe probe = new BrokerProbe(cluster.survivor().amqpUrl())) {
                if (kicked) {
                    awaitDepth(probe, dlq, poisoned, Duration.ofSeconds(60));
                }
                recovery = Duration.between(killedAt, Instant.now());
                stop.set(true);
                rejecter.join(Duration.ofSeconds(30));
                deadLettered = probe.drain(dlq);
                assertThat(depthOrZero(probe, queue))
                        .as("nothing left in the poison queue")
                        .isZero();
            }
        } finally {
            stop.set(true);
        }
        PublishLoad.Verdict verdict = PublishLoad.Verdict.of(
                        "6b. poison messages, quorum at-least-once dead-lettering, leader killed",
                        result,
                        deadLettered,
                        recovery)
                .report();
        System.out.println("RELIABILITY-NOTE scenario 6b: " + rejections.get() + " rejections; " + whileDead
                + " of " + poisoned + " ids dead-lettered within 30 s while the leader was dead"
                + (kicked ? "; the rest after the node came back and the leader's app was restarted" : "")
                + "; recovery = time from the kill until every id was in the dead-letter queue");
        verdict.assertPassed(); // here "consumed" is: in the dead-letter queue
    }

    // ---------------------------------------------------------------------------------------------------

    private String declareQuorumQueue(String name) {
        var r = api.post("/api/v1/queues", json(Map.of("name", name, "options", Map.of("type", "quorum"))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return name;
    }

    /**
     * Restarts the service until it publishes through {@code node} (each instance picks a node at random),
     * so that killing that node also cuts the service's connection: the worst case. Bounded; falls back to
     * wherever the last instance connected.
     */
    private PrivateRabbitNode serviceConnectedTo(PrivateRabbitNode node) {
        PrivateRabbitNode at = awaitServiceNode();
        for (int attempt = 1; attempt < 8 && at != node; attempt++) {
            service.close();
            service = RunningService.start(cluster.amqpUrls(), Map.of("RABBITMQ_HEARTBEAT", "5"));
            api = service.api();
            at = awaitServiceNode();
        }
        return at;
    }

    /** The node the service publishes through, once it is connected. */
    private PrivateRabbitNode awaitServiceNode() {
        List<PrivateRabbitNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Optional<PrivateRabbitNode> n = cluster.nodeWithConnection(PUBLISH_CONNECTION);
                    n.ifPresent(found::add);
                    return n.isPresent();
                });
        return found.get(0);
    }

    private static PrivateRabbitNode awaitLeader(String queue) {
        List<PrivateRabbitNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    PrivateRabbitNode n = cluster.quorumLeader(queue);
                    found.add(n);
                    return n.isRunning();
                });
        return found.getLast();
    }

    /**
     * Drains the queue through a node that survived the fault and checks the verdict: nothing accepted is
     * lost, no request hung, only the statuses a broker outage may cause.
     */
    private static void assertAllAcceptedConsumed(
            String scenario, String queue, PublishLoad.Result result, Duration recovery, PrivateRabbitNode victim) {
        List<String> drained;
        try (BrokerProbe probe = new BrokerProbe(cluster.survivor(victim).amqpUrl())) {
            drained = probe.drain(probe.queue(queue));
        }
        PublishLoad.Verdict.of(scenario, result, drained, recovery).report().assertPassed(Set.of(202, 503, 504));
        assertThat(recovery).isLessThanOrEqualTo(RECOVERY_BOUND);
    }

    /** A consumer that rejects (requeue=true) every message it gets, until told to stop; survives channel errors. */
    private static void rejectForever(
            PrivateRabbitNode node, String queue, AtomicInteger rejections, AtomicBoolean stop) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(node.amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        f.setRequestedHeartbeat(5);
        while (!stop.get()) {
            try (Connection c = f.newConnection("poison-rejecter");
                    Channel ch = c.createChannel()) {
                while (!stop.get()) {
                    GetResponse r = ch.basicGet(queue, false);
                    if (r == null) {
                        Thread.sleep(50);
                        continue;
                    }
                    Thread.sleep(5); // a handler failing on it, slowly enough for the kill to land mid-way
                    ch.basicReject(r.getEnvelope().getDeliveryTag(), true);
                    rejections.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // the leader moved or the channel was closed: open a new one
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Waits (bounded) until the queue holds {@code count} messages; returns the last depth seen. */
    private static long awaitDepth(BrokerProbe probe, String queue, int count, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        long depth = depthOrZero(probe, queue);
        while (depth < count && System.nanoTime() < deadline) {
            sleepUntil(Instant.now().plusMillis(500));
            depth = depthOrZero(probe, queue);
        }
        return depth;
    }

    private static long depthOrZero(BrokerProbe probe, String queue) {
        try {
            return probe.depth(queue);
        } catch (AssertionError e) {
            return 0;
        }
    }

    private static void sleepUntil(Instant instant) {
        Duration left = Duration.between(Instant.now(), instant);
        if (!left.isNegative()) {
            try {
                Thread.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What a publish with confirms straight to the queue gets now: ack, nack, or the error. */
    private static String plainPublishOutcome(String amqpUrl, String queue) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(amqpUrl);
            try (Connection c = factory.newConnection("cluster-fault-probe");
                    Channel ch = c.createChannel()) {
                ch.confirmSelect();
                ch.basicPublish("", queue, true, null, "\"probe\"".getBytes(StandardCharsets.UTF_8));
                return ch.waitForConfirms(5_000) ? "ack" : "nack";
            }
        } catch (Exception e) {
            return e.toString();
        }
    }
}
