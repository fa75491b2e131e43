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
 * A publish to a missing exchange, an internal one, or one the user may not write to makes RabbitMQ close
 * the channel it arrives on. It must never take down the other publishes in flight at the same moment.
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
                        good.add(pool.submit(() ->
                                api.publish(json(Map.of("exchange", exchange, "routingKey", "k", "message", id)))));
                    }
                    if (i < BAD) {
                        bad.add(pool.submit(() ->
                                api.publish(json(Map.of("exchange", missing, "routingKey", "k", "message", "bad")))));
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

    @Test
    void publishesToAnInternalExchangeAreForbiddenAndDoNotFailOthersInFlight() throws Exception {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service = RunningService.start(SharedBroker.url(), Map.of("PUBLISH_CHANNELS", "1"))) {
            ApiClient api = service.api();
            String internal = broker.exchange(uniqueName("internal"));
            String queue = broker.queue(uniqueName("q"));
            api.post(
                    "/api/v1/exchanges",
                    json(Map.of("name", internal, "type", "fanout", "options", Map.of("internal", true))));
            api.post("/api/v1/queues", json(Map.of("name", queue)));

            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Response>> good = new ArrayList<>();
            List<Future<Response>> refused = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    String id = "good-" + i;
                    good.add(pool.submit(() -> api.publish(json(Map.of("routingKey", queue, "message", id)))));
                    refused.add(pool.submit(
                            () -> api.publish(json(Map.of("exchange", internal, "routingKey", "", "message", "no")))));
                }
                for (Future<Response> f : good) {
                    Response r = f.get();
                    assertThat(r.status()).as(r.body()).isEqualTo(202);
                }
                for (Future<Response> f : refused) {
                    Response r = f.get();
                    assertThat(r.status()).as(r.body()).isEqualTo(403);
                    assertThat(r.problem().detail()).contains("internal exchange");
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(broker.drain(queue)).hasSize(200);
        }
    }

    @Test
    void sameMessageIdInFlightTwiceIsStillMatchedToItsOwnReturn() throws Exception {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service = RunningService.start(SharedBroker.url(), Map.of("PUBLISH_CHANNELS", "1"))) {
            ApiClient api = service.api();
            String queue = broker.queue(uniqueName("q"));
            api.post("/api/v1/queues", json(Map.of("name", queue)));

            // Each id is sent twice at once: to the queue (routed) and to nowhere (returned).
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Response>> routed = new ArrayList<>();
            List<Future<Response>> unroutable = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    Map<String, Object> options = Map.of("messageId", "dup-" + (i % 10));
                    routed.add(pool.submit(() ->
                            api.publish(json(Map.of("routingKey", queue, "message", "kept", "options", options)))));
                    unroutable.add(pool.submit(() -> api.publish(
                            json(Map.of("routingKey", uniqueName("nobody"), "message", "lost", "options", options)))));
                }
                for (Future<Response> f : routed) {
                    assertThat(f.get().status()).isEqualTo(202);
                }
                for (Future<Response> f : unroutable) {
                    assertThat(f.get().status()).isEqualTo(422);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(broker.drain(queue)).hasSize(200).containsOnly("\"kept\"");
        }
    }

    @Test
    void exchangeDeletedBehindTheServiceIsSoonReportedMissingAndNoAcceptedMessageIsLost() throws Exception {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service = RunningService.start(SharedBroker.url())) {
            ApiClient api = service.api();
            String exchange = broker.exchange(uniqueName("ex"));
            String queue = broker.queue(uniqueName("q"));
            api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "fanout")));
            api.post("/api/v1/queues", json(Map.of("name", queue)));
            api.post("/api/v1/bindings", json(Map.of("queue", queue, "exchange", exchange)));
            assertThat(api.publish(json(Map.of("exchange", exchange, "message", "before")))
                            .status())
                    .isEqualTo(202);

            try (var ch = broker.channel()) {
                ch.exchangeDelete(exchange); // not through the service: it does not know
            }

            Set<String> accepted = new HashSet<>(List.of("\"before\""));
            int status = 0;
            for (int i = 0; i < 20 && status != 404; i++) {
                Response r = api.publish(json(Map.of("exchange", exchange, "message", "after-" + i)));
                status = r.status();
                assertThat(status).as(r.body()).isIn(202, 503, 404);
                if (status == 202) {
                    accepted.add("\"after-" + i + "\"");
                }
            }
            assertThat(status).isEqualTo(404);
            assertThat(new HashSet<>(broker.drain(queue))).containsAll(accepted);
        }
    }
}
