package io.queueservice.server.push;

import ch.qos.logback.classic.Level;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.MicrometerWorkerMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.server.security.SecurityConfig;
import io.queueservice.worker.Outcome;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The measuring side of bench/push.sh (see there): drains the same backlog with a no-op toolkit worker and
 * with a push subscription, round after round, and prints the rates and their ratio.
 *
 * <p>Arguments: RabbitMQ URL, receiver URL, messages, rounds, concurrency, prefetch.
 */
public final class PushBench {
    private PushBench() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(Level.WARN);
        String url = args[0];
        String endpoint = args[1];
        int messages = Integer.parseInt(args[2]);
        int rounds = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        int prefetch = Integer.parseInt(args[5]);
        String tag = HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = Map.of(
                "RABBITMQ_URL",
                url,
                "WORKER_CONCURRENCY",
                Integer.toString(concurrency),
                "WORKER_PREFETCH",
                Integer.toString(prefetch),
                "SUBSCRIPTIONS_KEY",
                Base64.getEncoder().encodeToString(key),
                "PUSH_ALLOW_HTTP",
                "true",
                "PUSH_ALLOWED_HOSTS",
                "127.0.0.1",
                "DEFINITIONS_STREAM",
                "bench-definitions-" + tag);
        ConfigReader r = new ConfigReader(env);
        BrokerConfig broker = BrokerConfig.from(r);
        PublishConfig publish = PublishConfig.from(r);
        WorkerOptions worker = WorkerOptions.from(r);
        PushConfig push = PushConfig.from(r, SecurityConfig.AuthMode.JWT);
        r.validate();

        System.out.printf(
                "%,d messages of 1 KiB per drain, %d consumers, prefetch %d, %d round(s)%n",
                messages, concurrency, prefetch, rounds);
        List<Double> workerRates = new ArrayList<>();
        List<Double> pushRates = new ArrayList<>();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // As the service runs it: Linux epoll where it loads (fewer copies and system calls than NIO).
        Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(true));
        try (QueueClient client = new QueueClient(
                        "bench", broker, publish, worker, PublishMetrics.NO_OP, new MicrometerWorkerMetrics(registry));
                PushSubscriptions subscriptions = PushSubscriptions.start(
                        push,
                        new PushSubscriptions.Context(
                                broker, publish, worker, registry, new MicrometerWorkerMetrics(registry), vertx))) {
            if (!subscriptions.awaitReady(Duration.ofSeconds(30))) {
                throw new IllegalStateException("definitions not loaded");
            }
            // Warm-up, not counted: both paths compiled by the JIT before anything is measured.
            int warmUp = Math.min(messages, 10_000);
            String w1 = "bench-warm-worker-" + tag;
            backlog(url, w1, warmUp);
            drainWithWorker(client, w1, warmUp, worker);
            cleanUp(url, w1);
            String w2 = "bench-warm-push-" + tag;
            backlog(url, w2, warmUp);
            drainWithPush(subscriptions, w2, endpoint, warmUp, concurrency);
            cleanUp(url, w2);
            System.out.printf("warm-up: %,d messages drained each way, not counted%n", warmUp);
            for (int round = 1; round <= rounds; round++) {
                String q1 = "bench-worker-" + tag + "-" + round;
                backlog(url, q1, messages);
                long cpu = cpuNanos();
                double w = drainWithWorker(client, q1, messages, worker);
                long workerCpu = cpuNanos() - cpu;
                workerRates.add(w);
                System.out.printf(
                        "round %d  worker (no-op handler): %,8.0f msg/s  (this JVM: %.0f us CPU/msg)%n",
                        round, w, workerCpu / 1e3 / messages);
                cleanUp(url, q1);

                String q2 = "bench-push-" + tag + "-" + round;
                backlog(url, q2, messages);
                cpu = cpuNanos();
                double p = drainWithPush(subscriptions, q2, endpoint, messages, concurrency);
                long pushCpu = cpuNanos() - cpu;
                pushRates.add(p);
                System.out.printf(
                        "round %d  push subscription:     %,8.0f msg/s  (this JVM: %.0f us CPU/msg)  push/worker %.2f%n",
                        round, p, pushCpu / 1e3 / messages, p / w);
                cleanUp(url, q2);
            }
        } finally {
            vertx.close();
            try (Connection c = connect(url)) {
                c.createChannel().queueDelete("bench-definitions-" + tag);
            }
        }
        double w = median(workerRates);
        double p = median(pushRates);
        System.out.printf("median: worker %,.0f msg/s, push %,.0f msg/s: ratio push/worker=%.2f%n", w, p, p / w);
    }

    private static double drainWithWorker(QueueClient client, String queue, int messages, WorkerOptions options)
            throws InterruptedException {
        AtomicInteger handled = new AtomicInteger();
        long started = System.nanoTime();
        Worker w = client.consume(
                queue,
                m -> {
                    handled.incrementAndGet();
                    return Outcome.ack();
                },
                options);
        while (handled.get() < messages) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        w.close();
        return messages / seconds;
    }

    private static double drainWithPush(
            PushSubscriptions push, String queue, String endpoint, int messages, int concurrency)
            throws InterruptedException {
        String name = queue;
        long started = System.nanoTime();
        push.subscriptions()
                .create(new SubscriptionRequest(name, queue, endpoint, null, null, 10_000, concurrency, null));
        while (push.subscriptions().get(name).counts().delivered() < messages) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        SubscriptionView v = push.subscriptions().get(name);
        if (v.counts().failedAttempts() > 0) {
            System.out.printf("  (%d failed attempts: %s)%n", v.counts().failedAttempts(), v.lastError());
        }
        push.subscriptions().delete(name);
        return messages / seconds;
    }

    /** Publishes the backlog (persistent, 1 KiB each) with confirms. */
    private static void backlog(String url, String queue, int messages) throws Exception {
        byte[] body = new byte[1024];
        java.util.Arrays.fill(body, (byte) 'x');
        try (Connection c = connect(url)) {
            Channel ch = c.createChannel();
            ch.queueDeclare(queue, true, false, false, Map.of());
            ch.confirmSelect();
            for (int i = 0; i < messages; i++) {
                ch.basicPublish(
                        "",
                        queue,
                        new AMQP.BasicProperties.Builder()
                                .deliveryMode(2)
                                .contentType("application/octet-stream")
                                .messageId(queue + "-" + i)
                                .build(),
                        body);
                if (i % 1000 == 999) {
                    ch.waitForConfirmsOrDie(60_000);
                }
            }
            ch.waitForConfirmsOrDie(60_000);
        }
    }

    private static void cleanUp(String url, String queue) throws Exception {
        try (Connection c = connect(url)) {
            for (String q : List.of(queue, queue + ".dlq")) {
                c.createChannel().queueDelete(q);
            }
            for (long ms = 1000; ms <= 60_000; ms *= 2) {
                c.createChannel().queueDelete(queue + ".retry." + ms);
            }
            c.createChannel().queueDelete(queue + ".retry.60000");
        }
    }

    private static Connection connect(String url) throws Exception {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        f.setUri(url);
        return f.newConnection("push-bench");
    }

    /** CPU time this JVM used so far (all threads). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double median(List<Double> values) {
        List<Double> s = values.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
