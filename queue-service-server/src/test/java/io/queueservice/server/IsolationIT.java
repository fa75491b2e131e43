package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.SharedBroker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A publish to a missing exchange makes RabbitMQ close the channel it arrives on. It must never take down
 * the other publishes in flight at the same moment.
 */
class IsolationIT {
    private static final int GOOD = 300;
    private static final int BAD = 300;

    @Test
    void publishesToAMissingExchangeDoNotFailOthersInFlight() throws Exception {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service = RunningService.start(SharedBroker.url(), Map.of("PUBLISH_CHANNELS", "2"))) {
            ApiClient api = service.api();
            String exchange = broker.exchange(uniqueName("ex"));
            String queue = broker.queue(uniqueName("q"));
            api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "direct")));
            api.post("/api/v1/queues", json(Map.of("name", queue)));
            api.post("/api/v1/bindings", json(Map.of("queue", queue, "exchange", exchange, "routingKey", "k")));

            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<Future<Response>> good = new ArrayList<>();
            List<Future<Response>> bad = new ArrayList<>();
            try {
                for (int i = 0; i < Math.max(GOOD, BAD); i++) {
                    String id = "good-" + i;
                    String missing = uniqueName("missing");
                    if (i < GOOD) {
                        good.add(pool.submit(() -> api.publish(json(Map.of("exchange", exchange, "routingKey", "k", "message", id)))));
                    }
                    if (i < BAD) {
                        bad.add(pool.submit(() -> api.publish(json(Map.of("exchange", missing, "routingKey", "k", "message", "bad")))));
                    }
                }
                for (Future<Response> f : good) {
                    Response r = f.get();
                    assertThat(r.status()).as(r.body()).isEqualTo(202);
                }
                for (Future<Response> f : bad) {
                    assertThat(f.get().status()).isEqualTo(404);
                }
            } finally {
                pool.shutdownNow();
            }

            Set<String> received = new HashSet<>(broker.drain(queue));
            assertThat(received).hasSize(GOOD);
            assertThat(received).allMatch(body -> body.startsWith("\"good-"));
        }
    }
}
