package io.queueservice.server.push;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.MicrometerWorkerMetrics;
import io.queueservice.server.security.SecurityConfig;
import io.queueservice.worker.WorkerOptions;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Push subscriptions delivering in a process of their own, configured from the environment, for tests
 * that kill it ({@link PushCrashIT}). Prints {@code ready} once the definitions are loaded.
 */
public final class PushProcess {
    private PushProcess() {}

    public static void main(String[] args) throws Exception {
        ConfigReader r = new ConfigReader(System.getenv());
        PushConfig push = PushConfig.from(r, SecurityConfig.AuthMode.JWT);
        BrokerConfig broker = BrokerConfig.from(r);
        PublishConfig publish = PublishConfig.from(r);
        WorkerOptions worker = WorkerOptions.from(r);
        r.validate();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PushSubscriptions p = PushSubscriptions.start(
                push,
                new PushSubscriptions.Context(
                        broker, publish, worker, registry, new MicrometerWorkerMetrics(registry), Vertx.vertx()));
        if (!p.awaitReady(Duration.ofSeconds(30))) {
            System.out.println("not ready");
            System.exit(1);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join();
    }
}
