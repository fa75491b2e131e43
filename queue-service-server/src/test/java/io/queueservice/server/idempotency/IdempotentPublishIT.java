package io.queueservice.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.testing.SharedBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The publish path of two service instances sharing one Redis, without the HTTP layer: each begins the key,
 * publishes with confirms when told to proceed, records its answer, and answers a retry with the kept one.
 * The same key sent to both at once ends as exactly one message in the queue (read with a plain AMQP client),
 * and both callers get the same message id, the loser after waiting out the in-flight answer.
 */
class IdempotentPublishIT {
    private static final KeyOwner OWNER = KeyOwner.subject("publisher");

    /** One instance: its Redis connection and its own broker connection and publisher. */
    private record Instance(Idempotency idempotency, ConfirmingPublisher publisher, BrokerConnection connection)
            implements AutoCloseable {
        static Instance start(String prefix, String name) {
            ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url()));
            BrokerConfig broker = BrokerConfig.from(env);
            PublishConfig publish = PublishConfig.from(env);
            BrokerConnection c = new BrokerConnection(broker, name, publish.requestTimeout());
            ConfirmingPublisher p = new ConfirmingPublisher(c, new KnownExchanges(), publish, PublishMetrics.NO_OP);
            c.start();
            Idempotency i = new Idempotency(
                    new RedisIdempotencyStore(SharedRedis.url(), SharedRedis.url(), prefix, Duration.ofSeconds(2)),
                    Duration.ofMinutes(5),
                    Duration.ofSeconds(15),
                    new SimpleMeterRegistry());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> i.unavailableReason().isEmpty());
            return new Instance(i, p, c);
        }

        /** POST /api/v1/publish with an Idempotency-Key, minus HTTP: the message id the caller is answered. */
        String publish(String queue, String key, byte[] body) {
            while (true) {
                Decision d = idempotency.begin(OWNER, key, Fingerprint.of(body)).join();
                switch (d) {
                    case Decision.Proceed p -> {
                        String id = UUID.randomUUID().toString();
                        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                                .messageId(id)
                                .deliveryMode(2)
                                .build();
                        CompletableFuture<Void> confirmed =
                                publisher.publish(new OutgoingMessage("", queue, body, props, true));
                        confirmed.join();
                        byte[] answer = ("{\"status\":\"published\",\"messageId\":\"" + id + "\"}")
                                .getBytes(StandardCharsets.UTF_8);
                        idempotency
                                .complete(p.ticket(), 202, "application/json", answer)
                                .join();
                        return id;
                    }
                    case Decision.Replay r -> {
                        String json = new String(r.answer().body(), StandardCharsets.UTF_8);
                        return json.replaceAll(".*\"messageId\":\"([^\"]+)\".*", "$1");
                    }
                    case Decision.InFlight f -> sleep(50); // a client honouring Retry-After, sooner
                    case Decision.Mismatch m -> throw new AssertionError("same body, yet a mismatch");
                }
            }
        }

        @Override
        public void close() {
            idempotency.close();
            publisher.drain(Duration.ofSeconds(5));
            publisher.close();
            connection.close();
        }
    }

    @Test
    void theSameKeySentToTwoInstancesAtOncePublishesOneMessageAndBothCallersGetItsId() throws Exception {
        String prefix = SharedRedis.uniquePrefix();
        String queue = SharedBroker.uniqueName("idempotent");
        int keys = 50;
        try (SharedRedis redis = SharedRedis.connect();
                Connection probe = SharedBroker.connect();
                Instance first = Instance.start(prefix, "idempotent-it-1");
                Instance second = Instance.start(prefix, "idempotent-it-2")) {
            Channel ch = probe.createChannel();
            ch.queueDeclare(queue, false, false, true, null);
            ExecutorService callers = Executors.newFixedThreadPool(2);
            CyclicBarrier together = new CyclicBarrier(2);
            try {
                Future<List<String>> a = callers.submit(() -> sendAll(first, queue, keys, together));
                Future<List<String>> b = callers.submit(() -> sendAll(second, queue, keys, together));
                List<String> idsFromFirst = a.get();
                List<String> idsFromSecond = b.get();

                assertThat(idsFromFirst).isEqualTo(idsFromSecond);
                assertThat(idsFromFirst).doesNotHaveDuplicates();
                List<String> inQueue = new ArrayList<>();
                for (var r = ch.basicGet(queue, true); r != null; r = ch.basicGet(queue, true)) {
                    inQueue.add(r.getProps().getMessageId());
                }
                assertThat(inQueue).containsExactlyInAnyOrderElementsOf(idsFromFirst);
            } finally {
                callers.shutdownNow();
                ch.queueDelete(queue);
                redis.deleteKeys(prefix);
            }
        }
    }

    private static List<String> sendAll(Instance instance, String queue, int keys, CyclicBarrier together)
            throws Exception {
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            together.await();
            ids.add(instance.publish(queue, "order-" + k, ("{\"order\":" + k + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return ids;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
