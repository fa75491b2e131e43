package io.queueservice.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.testing.PrivateRabbitNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A worker rides out a broker restart on a private node (the shared broker is never touched). */
class WorkerRestartIT {
    @Test
    void workerReconnectsAndResumesAfterABrokerRestart() {
        try (PrivateRabbitNode node = PrivateRabbitNode.start("worker")) {
            ConfigReader env =
                    new ConfigReader(Map.of("RABBITMQ_URL", node.amqpUrl(), "RABBITMQ_CONNECTION_TIMEOUT", "1000"));
            try (QueueClient client = new QueueClient(
                    "restart-it",
                    BrokerConfig.from(env),
                    PublishConfig.from(env),
                    WorkerOptions.defaults(),
                    PublishMetrics.NO_OP,
                    WorkerMetrics.NO_OP)) {
                List<String> seen = new CopyOnWriteArrayList<>();
                client.consume("jobs", m -> {
                    seen.add(m.bodyAsString());
                    return Outcome.ack();
                });
                client.publish("", "jobs", "before").join();
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("\"before\""));

                node.restart();

                // Publishing works again once the client reconnected; the worker consumes again by itself.
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> {
                            try {
                                client.publish("", "jobs", "after").join();
                                return true;
                            } catch (CompletionException e) {
                                return false;
                            }
                        });
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("\"after\""));
                assertThat(seen).containsOnlyOnce("\"before\"");
            }
        }
    }
}
