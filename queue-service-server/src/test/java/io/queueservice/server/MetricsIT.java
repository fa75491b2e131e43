package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.testing.SharedBroker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What /metrics shows after real traffic: depths, confirm latency, connections, HTTP routes, JVM. */
class MetricsIT {
    @Test
    void metricsDescribeTheTrafficAndTheBroker() {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service =
                        RunningService.start(SharedBroker.url(), Map.of("QUEUE_DEPTH_INTERVAL", "1000"))) {
            ApiClient api = service.api();
            String queue = broker.queue(uniqueName("q"));
            api.post("/api/v1/queues", json(Map.of("name", queue)));
            for (int i = 0; i < 3; i++) {
                assertThat(api.publish(json(Map.of("routingKey", queue, "message", i)))
                                .status())
                        .isEqualTo(202);
            }
            api.get("/api/v1/queues/" + queue);
            api.get("/no/such/path");

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(api.get("/metrics").body())
                            .contains("queue_message_count{queue=\"" + queue + "\"} 3.0"));
            String metrics = api.get("/metrics").body();

            assertThat(metrics).containsPattern("queue_message_publish_confirm_seconds_count 3(\\.0)?\\n");
            assertThat(metrics).contains("queue_message_publish_confirm_seconds_bucket{le=");
            assertThat(metrics).containsPattern("queue_message_publish_in_flight 0(\\.0)?\\n");
            assertThat(metrics)
                    .containsPattern("queue_broker_connected\\{connection=\"queue-service-publish\"} 1(\\.0)?\\n");
            assertThat(metrics)
                    .containsPattern("queue_broker_blocked\\{connection=\"queue-service-admin\"} 0(\\.0)?\\n");
            assertThat(metrics)
                    .containsPattern(
                            "http_server_requests_seconds_count\\{method=\"GET\",route=\"/api/v1/queues/\\{name}\",status=\"200\"} 1(\\.0)?\\n");
            assertThat(metrics)
                    .containsPattern(
                            "http_server_requests_seconds_count\\{method=\"GET\",route=\"unmatched\",status=\"404\"}");
            assertThat(metrics).doesNotContain(queue + "\",status"); // raw paths never become labels
            assertThat(metrics).contains("jvm_memory_used_bytes", "process_cpu_usage", "process_uptime_seconds");

            api.delete("/api/v1/queues/" + queue);
            assertThat(api.get("/metrics").body()).doesNotContain("queue_message_count{queue=\"" + queue + "\"}");
        }
    }
}
