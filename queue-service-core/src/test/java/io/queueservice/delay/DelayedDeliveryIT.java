package io.queueservice.delay;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.queueservice.broker.QueueType;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.testing.SharedBroker;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.worker.FailureHeaders;
import io.queueservice.worker.Outcome;
import io.queueservice.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Delayed delivery on the shared broker. Each test has delay queues of its own (a unique name prefix), so
 * that no other dispatcher takes its messages, and deletes them after.
 */
// Runs beside the other test classes (it mostly waits for delays to come due), its tests one after the other.
@Execution(ExecutionMode.CONCURRENT)
class DelayedDeliveryIT {
    private final List<AutoCloseable> rigs = new ArrayList<>();
    private final List<DelayLevels> topologies = new ArrayList<>();
    private Connection probe;
    private Channel ch;
    private String exchange;
    private String queue;
    /** Each message id delivered to the target queue, with when and how it arrived. */
    private final Map<String, Arrival> arrivals = new ConcurrentHashMap<>();

    private record Arrival(Instant at, AMQP.BasicProperties props, String routingKey, String body) {}

    @BeforeEach
    void target() throws Exception {
        probe = SharedBroker.connect();
        ch = probe.createChannel();
        exchange = uniqueName("delay-target");
        queue = uniqueName("delay-target");
        ch.exchangeDeclare(exchange, "topic", false, true, null);
        ch.queueDeclare(queue, false, false, true, null);
        ch.queueBind(queue, exchange, "orders.*");
        Channel consumer = probe.createChannel();
        consumer.basicConsume(
                queue,
                true,
                (tag, d) -> arrivals.put(
                        d.getProperties().getMessageId(),
                        new Arrival(
                                Instant.now(),
                                d.getProperties(),
                                d.getEnvelope().getRoutingKey(),
                                new String(d.getBody(), StandardCharsets.UTF_8))),
                tag -> {});
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : rigs.reversed()) {
            r.close();
        }
        for (DelayLevels levels : topologies) {
            DelayRig.deleteTopology(probe, levels);
        }
        ch.queueDelete(queue);
        ch.exchangeDelete(exchange);
        probe.close();
    }

    private DelayRig rig(QueueType type) {
        return rig(type, uniqueName("qs-delay-it"));
    }

    private DelayRig rig(QueueType type, String prefix) {
        DelayConfig config = new DelayConfig(DelayLevels.MAX_DELAY, type, prefix);
        if (topologies.stream().noneMatch(l -> l.prefix().equals(prefix))) {
            topologies.add(config.levels());
        }
        DelayRig rig = new DelayRig(SharedBroker.url(), config, "delay-it");
        rigs.add(rig);
        return rig.ready();
    }

    @ParameterizedTest
    @Execution(ExecutionMode.SAME_THREAD)
    @EnumSource(
            value = QueueType.class,
            names = {"CLASSIC", "QUORUM"})
    void aThreeSecondDelayArrivesAfterThreeSecondsAndWithinFourAndAHalfIntact(QueueType type) {
        DelayRig rig = rig(type);
        OutgoingMessage m = DelayRig.message(exchange, "orders.eu", "{\"n\":1}", true);
        Instant sent = Instant.now();

        ScheduledMessage s = rig.delays.publish(m, Duration.ofSeconds(3)).join();

        assertThat(s.messageId()).isEqualTo(m.properties().getMessageId());
        assertThat(Duration.between(sent, s.deliverAt()).toMillis()).isBetween(3000L, 3100L);
        await().atMost(Duration.ofSeconds(6)).until(() -> arrivals.containsKey(s.messageId()));
        Arrival a = arrivals.get(s.messageId());
        assertThat(Duration.between(sent, a.at()).toMillis()).isBetween(3000L, 4500L);
        assertThat(a.at()).isAfterOrEqualTo(s.deliverAt());
        assertThat(a.routingKey()).isEqualTo("orders.eu");
        assertThat(a.body()).isEqualTo("{\"n\":1}");
        AMQP.BasicProperties p = a.props();
        assertThat(p.getContentType()).isEqualTo("application/json");
        assertThat(p.getDeliveryMode()).isEqualTo(2);
        assertThat(p.getCorrelationId()).isEqualTo(m.properties().getCorrelationId());
        // AMQP timestamps are whole seconds
        assertThat(p.getTimestamp().getTime() / 1000)
                .isEqualTo(m.properties().getTimestamp().getTime() / 1000);
        assertThat(p.getExpiration()).isNull();
        assertThat(p.getHeaders()).containsOnlyKeys("tenant", DelayedDelivery.DUE_AT_HEADER);
        assertThat(p.getHeaders().get("tenant")).hasToString("acme");
        assertThat(Instant.parse(
                        p.getHeaders().get(DelayedDelivery.DUE_AT_HEADER).toString()))
                .isEqualTo(s.deliverAt());
        assertThat(rig.counter("queue.delay.dispatched")).isEqualTo(1);
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aThousandRandomDelaysUpToTwentySecondsAllArriveNoneEarlyEachWithinASecondAndAHalf() {
        DelayRig rig = rig(QueueType.QUORUM);
        Random random = new Random();
        List<CompletableFuture<ScheduledMessage>> sent = new ArrayList<>();
        Map<String, Long> delays = new ConcurrentHashMap<>();
        Map<String, Instant> confirmed = new ConcurrentHashMap<>();
        // At most 100 unconfirmed at once, as 100 concurrent clients would send them: a message cannot be on
        // time before the broker even has it, and 1,000 sent at once wait up to a second for their confirms
        // on a busy machine, which is the publisher's latency, not the delay machinery's.
        Semaphore inFlight = new Semaphore(100);
        for (int i = 0; i < 1000; i++) {
            OutgoingMessage m = DelayRig.message(exchange, "orders.n" + i, "{\"i\":" + i + "}", true);
            long delay = random.nextLong(20_001);
            delays.put(m.properties().getMessageId(), delay);
            inFlight.acquireUninterruptibly();
            sent.add(rig.delays.publish(m, Duration.ofMillis(delay)).whenComplete((s, e) -> {
                confirmed.put(m.properties().getMessageId(), Instant.now());
                inFlight.release();
            }));
        }
        List<ScheduledMessage> scheduled =
                sent.stream().map(CompletableFuture::join).toList();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> arrivals.size() >= scheduled.size());
        List<Long> lateness = new ArrayList<>();
        for (ScheduledMessage s : scheduled) {
            Arrival a = arrivals.get(s.messageId());
            assertThat(a).as("message %s", s.messageId()).isNotNull();
            lateness.add(Duration.between(s.deliverAt(), a.at()).toMillis());
        }
        List<Long> sorted = lateness.stream().sorted().toList();
        System.out.printf(
                "DELAY | 1000 random delays up to 20 s, lateness after the due time: median %d ms, p99 %d ms,"
                        + " worst %d ms%n",
                sorted.get(500), sorted.get(990), sorted.get(999));
        for (int i = 0; i < scheduled.size(); i++) {
            ScheduledMessage s = scheduled.get(i);
            long delay = delays.get(s.messageId());
            assertThat(lateness.get(i))
                    .as(
                            "lateness of %s (delay %d ms, confirmed %d ms after it was sent)",
                            s.messageId(),
                            delay,
                            Duration.between(s.deliverAt().minusMillis(delay), confirmed.get(s.messageId()))
                                    .toMillis())
                    .isBetween(0L, 1500L);
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aMessageUnroutableWhenDueGoesToTheDelayDeadLetterQueueWithTheReason() throws Exception {
        DelayRig rig = rig(QueueType.QUORUM);
        DelayLevels levels = rig.delays.levels();
        OutgoingMessage unroutable = DelayRig.message(exchange, "nobody.listens", "{}", true);
        String missingExchange = uniqueName("gone");
        OutgoingMessage noExchange = DelayRig.message(missingExchange, "orders.x", "{}", true);
        OutgoingMessage notMandatory = DelayRig.message(exchange, "nobody.listens", "{}", false);

        rig.delays.publish(unroutable, Duration.ofMillis(500)).join();
        rig.delays.publish(noExchange, Duration.ofMillis(700)).join();
        rig.delays.publish(notMandatory, Duration.ofMillis(600)).join();

        Map<String, GetResponse> dead = new ConcurrentHashMap<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            GetResponse r = ch.basicGet(levels.deadLetterQueue(), true);
            if (r != null) {
                dead.put(r.getProps().getMessageId(), r);
            }
            return dead.size() >= 2;
        });
        Map<String, Object> h1 =
                dead.get(unroutable.properties().getMessageId()).getProps().getHeaders();
        assertThat(h1.get(FailureHeaders.REASON).toString())
                .contains("unroutable")
                .contains("nobody.listens");
        assertThat(h1.get(FailureHeaders.ORIGINAL_EXCHANGE)).hasToString(exchange);
        assertThat(h1.get(FailureHeaders.ORIGINAL_ROUTING_KEY)).hasToString("nobody.listens");
        assertThat(h1).containsKeys(FailureHeaders.FIRST_FAILED_AT, DelayedDelivery.DUE_AT_HEADER, "tenant");
        Map<String, Object> h2 =
                dead.get(noExchange.properties().getMessageId()).getProps().getHeaders();
        assertThat(h2.get(FailureHeaders.REASON).toString())
                .contains("exchange_not_found")
                .contains(missingExchange);
        // Published without mandatory, it is dropped as any such message is: nothing in the dead-letter queue.
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(2))
                .until(() -> ch.messageCount(levels.deadLetterQueue()) == 0 && ch.messageCount(levels.dueQueue()) == 0);
        assertThat(dead).doesNotContainKey(notMandatory.properties().getMessageId());
        assertThat(rig.counter("queue.delay.dead.lettered", "reason", "unroutable"))
                .isEqualTo(1);
        assertThat(rig.counter("queue.delay.dead.lettered", "reason", "exchange_not_found"))
                .isEqualTo(1);
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aDelayUnderASecondSkipsTheLevelsAndIsNeverEarly() {
        DelayRig rig = rig(QueueType.CLASSIC);
        OutgoingMessage m = DelayRig.message(exchange, "orders.now", "{}", true);
        Instant sent = Instant.now();
        ScheduledMessage s = rig.delays.publish(m, Duration.ofMillis(400)).join();
        await().atMost(Duration.ofSeconds(3)).until(() -> arrivals.containsKey(s.messageId()));
        assertThat(arrivals.get(s.messageId()).at()).isAfterOrEqualTo(s.deliverAt());
        assertThat(Duration.between(sent, arrivals.get(s.messageId()).at()).toMillis())
                .isLessThan(1500);
    }

    /** Someone deletes the due queue: the dispatcher declares the topology again and goes on. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aDeletedDueQueueIsDeclaredAgainAndDispatchingGoesOn() throws Exception {
        DelayRig rig = rig(QueueType.CLASSIC);
        ch.queueDelete(rig.delays.levels().dueQueue());

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Channel passive = probe.createChannel()) {
                passive.queueDeclarePassive(rig.delays.levels().dueQueue());
                return rig.delays.dispatching();
            } catch (java.io.IOException e) {
                return false;
            }
        });
        OutgoingMessage m = DelayRig.message(exchange, "orders.again", "{}", true);
        ScheduledMessage s = rig.delays.publish(m, Duration.ofMillis(1500)).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> arrivals.containsKey(s.messageId()));
    }

    /** A target that refuses for a while (a full queue nacks): the due message waits and is tried again. */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aDueMessageTheTargetRefusesForAWhileIsTriedAgainUntilItGetsIn() throws Exception {
        DelayRig rig = rig(QueueType.QUORUM);
        String full = uniqueName("delay-full");
        ch.queueDeclare(full, false, false, false, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
        try {
            ch.basicPublish("", full, null, "filler".getBytes(StandardCharsets.UTF_8));
            OutgoingMessage m = DelayRig.message("", full, "{\"late\":true}", true);

            ScheduledMessage s = rig.delays.publish(m, Duration.ofMillis(300)).join();

            await().atMost(Duration.ofSeconds(10)).until(() -> rig.counter("queue.delay.dispatch.retries") >= 2);
            assertThat(ch.basicGet(full, true).getBody())
                    .asString(StandardCharsets.UTF_8)
                    .isEqualTo("filler");
            await().atMost(Duration.ofSeconds(40))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        GetResponse r = ch.basicGet(full, true);
                        return r != null && s.messageId().equals(r.getProps().getMessageId());
                    });
            assertThat(ch.messageCount(rig.delays.levels().deadLetterQueue())).isZero();
        } finally {
            ch.queueDelete(full);
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void theWorkerToolkitsClientPublishesWithADelayAndItsWorkerGetsTheMessageWhenDue() {
        String prefix = uniqueName("qs-delay-it");
        DelayConfig config = new DelayConfig(DelayLevels.MAX_DELAY, QueueType.CLASSIC, prefix);
        topologies.add(config.levels());
        String work = uniqueName("delay-work");
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
        try (QueueClient client = new QueueClient(
                "delay-it-client",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                WorkerOptions.defaults(),
                PublishMetrics.NO_OP,
                WorkerMetrics.NO_OP,
                config)) {
            Map<String, Instant> handled = new ConcurrentHashMap<>();
            Map<String, Object> headers = new ConcurrentHashMap<>();
            client.consume(work, message -> {
                handled.put(message.messageId(), Instant.now());
                headers.putAll(message.headers());
                return Outcome.ack();
            });

            ScheduledMessage s = client.publish("", work, Map.of("remind", "me"), Duration.ofMillis(2500))
                    .join();

            await().atMost(Duration.ofSeconds(8)).until(() -> handled.containsKey(s.messageId()));
            assertThat(handled.get(s.messageId())).isAfterOrEqualTo(s.deliverAt());
            assertThat(headers).containsKey(DelayedDelivery.DUE_AT_HEADER);
            assertThatThrownBy(() -> client.publish("", work, "x", Duration.ofMillis(-1)))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("delay");
        } finally {
            try {
                ch.queueDelete(work);
                ch.queueDelete(work + ".dlq");
                for (String retry :
                        List.of(".retry.1000", ".retry.2000", ".retry.4000", ".retry.8000", ".retry.16000")) {
                    ch.queueDelete(work + retry);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * Two instances dispatch the same due queue; one dies (its connections cut, as with kill -9) while it
     * holds messages: the broker hands them to the other, and every message arrives, none early.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void whenOneDispatcherDiesTheOtherDeliversWhatItHeld() {
        String prefix = uniqueName("qs-delay-it");
        DelayRig first = rig(QueueType.QUORUM, prefix);
        DelayRig second = rig(QueueType.QUORUM, prefix);
        Random random = new Random();
        List<ScheduledMessage> scheduled = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            DelayRig by = i % 2 == 0 ? first : second;
            OutgoingMessage m = DelayRig.message(exchange, "orders.k" + i, "{}", true);
            scheduled.add(by.delays
                    .publish(m, Duration.ofMillis(1000 + random.nextLong(4000)))
                    .join());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() > 50);

        first.kill();

        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> scheduled.stream().allMatch(s -> arrivals.containsKey(s.messageId())));
        for (ScheduledMessage s : scheduled) {
            assertThat(arrivals.get(s.messageId()).at()).isAfterOrEqualTo(s.deliverAt());
        }
    }
}
