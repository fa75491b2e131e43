package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.SharedBroker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression found by the hostile-input fuzzer: one request whose arguments or headers exceed an AMQP
 * frame (RabbitMQ's frame_max, 128 KiB) made the broker close the service's whole connection, so other
 * clients' requests in flight failed with 503 and the next ones too until it reconnected. Now such a
 * request is refused with 400 before anything is sent, and the other traffic does not notice.
 */
class OversizedFrameIT {
    private static final String BIG = "s".repeat(200_000);

    @Test
    void argumentsOrHeadersLargerThanAFrameAre400AndOtherTrafficGoesOnUntouched() {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service = RunningService.start(SharedBroker.url())) {
            ApiClient api = service.api();
            String queue = broker.queue(uniqueName("frame-q"));
            String exchange = broker.exchange(uniqueName("frame-x"));
            assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                    .isEqualTo(201);
            assertThat(api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "fanout")))
                            .status())
                    .isEqualTo(201);
            PublishLoad load = PublishLoad.start(api, "", queue, 2, 100_000, queue, Duration.ofSeconds(10));
            try {
                load.awaitMoreAccepted(50, Duration.ofSeconds(30));

                Map<String, String> oversized = Map.of(
                        "/api/v1/bindings",
                        json(Map.of("queue", queue, "exchange", exchange, "arguments", Map.of("big", BIG))),
                        "/api/v1/queues",
                        json(Map.of(
                                "name", uniqueName("frame-never"), "options", Map.of("arguments", Map.of("big", BIG)))),
                        "/api/v1/exchanges",
                        json(Map.of(
                                "name",
                                uniqueName("frame-never"),
                                "type",
                                "direct",
                                "options",
                                Map.of("arguments", Map.of("big", BIG)))),
                        "/api/v1/publish",
                        json(Map.of(
                                "routingKey",
                                queue,
                                "message",
                                "m",
                                "options",
                                Map.of("headers", Map.of("big", BIG)))));
                oversized.forEach((path, body) -> {
                    Response r = api.post(path, body);
                    assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(400);
                    assertThat(r.problem().detail()).as(path).contains("frame_max");
                });
                Response unbind = api.delete(
                        "/api/v1/bindings",
                        json(Map.of("queue", queue, "exchange", exchange, "arguments", Map.of("big", BIG))));
                assertThat(unbind.status()).as(unbind.body()).isEqualTo(400);

                load.awaitMoreAccepted(50, Duration.ofSeconds(30));
            } finally {
                load.close();
            }
            PublishLoad.Result result = load.stop();
            assertThat(result.statuses())
                    .as("the load beside the oversized requests")
                    .containsOnlyKeys(202);
            assertThat(PublishLoad.Verdict.of("oversized frames", result, broker.drain(queue), null)
                            .lostIds())
                    .isEmpty();
            assertThat(api.get("/healthz/ready").status()).isEqualTo(200);
        }
    }
}
