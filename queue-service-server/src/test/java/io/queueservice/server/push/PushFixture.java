package io.queueservice.server.push;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.MicrometerWorkerMetrics;
import io.queueservice.server.security.SecurityConfig;
import io.queueservice.testing.SharedBroker;
import io.queueservice.worker.WorkerOptions;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Push subscriptions started as a service instance would start them, against a broker, with settings of the
 * test's own; plus helpers to make queues and publish to them. Close it to stop every instance and delete
 * what it declared.
 */
final class PushFixture implements AutoCloseable {
    static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    final String url;
    final String stream = SharedBroker.uniqueName("it-push-definitions");
    private final Map<String, String> env = new HashMap<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> queues = new ArrayList<>();
    final Vertx vertx = Vertx.vertx();
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    PushFixture(String url) {
        this.url = url;
        env.putAll(Map.of(
                "RABBITMQ_URL", url,
                "RABBITMQ_CONNECTION_TIMEOUT", "2000",
                "SUBSCRIPTIONS_KEY", KEY,
                "PUSH_ALLOW_HTTP", "true",
                "PUSH_ALLOWED_HOSTS", "127.0.0.1",
                "DEFINITIONS_STREAM", stream,
                "INITIAL_RETRY_DELAY", "100",
                "MAX_RETRY_DELAY", "1000",
                "MAX_RETRIES", "4"));
    }

    PushFixture() {
        this(SharedBroker.url());
    }

    PushFixture set(String name, String value) {
        env.put(name, value);
        return this;
    }

    Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** One more service instance (its own connections), loaded. */
    PushSubscriptions instance() {
        return instance(java.net.InetAddress::getAllByName);
    }

    PushSubscriptions instance(AddressGuard.Resolver resolver) {
        ConfigReader r = new ConfigReader(env);
        SecurityConfig.AuthMode mode =
                "none".equals(env.get("AUTH_MODE")) ? SecurityConfig.AuthMode.NONE : SecurityConfig.AuthMode.JWT;
        PushConfig push = PushConfig.from(r, mode);
        BrokerConfig broker = BrokerConfig.from(r);
        PublishConfig publish = PublishConfig.from(r);
        WorkerOptions worker = WorkerOptions.from(r);
        r.validate();
        PushSubscriptions p = PushSubscriptions.start(
                push,
                new PushSubscriptions.Context(
                        broker, publish, worker, registry, new MicrometerWorkerMetrics(registry), vertx),
                resolver);
        open.add(p);
        if (!p.awaitReady(Duration.ofSeconds(15))) {
            throw new AssertionError("definitions not loaded within 15 s");
        }
        return p;
    }

    /** A durable queue of the test's own (deleted on close, with its retry and dead-letter queues). */
    String queue(String prefix) throws Exception {
        String q = SharedBroker.uniqueName(prefix);
        try (Connection c = connect()) {
            c.createChannel().queueDeclare(q, true, false, false, Map.of());
        }
        queues.add(q);
        return q;
    }

    Connection connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(url);
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection("push-it");
    }

    /** Publishes messages {@code id-0 .. id-(n-1)} (JSON bodies) with confirms; returns their ids. */
    List<String> publish(String queue, int n, String idPrefix) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = connect()) {
            Channel ch = c.createChannel();
            ch.confirmSelect();
            for (int i = 0; i < n; i++) {
                String id = idPrefix + "-" + i;
                ids.add(id);
                ch.basicPublish(
                        "",
                        queue,
                        true,
                        new AMQP.BasicProperties.Builder()
                                .messageId(id)
                                .contentType("application/json")
                                .deliveryMode(2)
                                .headers(Map.of(
                                        "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
                                .build(),
                        ("{\"n\":" + i + ",\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
        return ids;
    }

    long depth(String queue) throws Exception {
        try (Connection c = connect()) {
            return c.createChannel().queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** Takes one message off a queue (for the dead-letter queue's checks), or null. */
    GetResponse get(String queue) throws Exception {
        try (Connection c = connect()) {
            return c.createChannel().basicGet(queue, true);
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        try (Connection c = connect()) {
            for (String q : queues) {
                for (String name : List.of(q, q + ".dlq")) {
                    Channel ch = c.createChannel();
                    ch.queueDelete(name);
                    ch.close();
                }
                for (long ms : List.of(100L, 200L, 400L, 800L, 1000L)) {
                    Channel ch = c.createChannel();
                    ch.queueDelete(q + ".retry." + ms);
                    ch.close();
                }
            }
            Channel ch = c.createChannel();
            ch.queueDelete(stream);
        } catch (Exception e) {
            // the broker may be gone already (a private node)
        }
        vertx.close();
    }
}
