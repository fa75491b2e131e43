package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.SharedBroker;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Stopping the service (as on SIGTERM) while publishes are in flight loses none that were answered 202. */
class ShutdownIT {
    @Test
    void everyAcceptedPublishIsInTheQueueAfterAStopUnderLoad() throws Exception {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url())) {
            String queue = broker.queue(uniqueName("q"));
            RunningService service = RunningService.start(SharedBroker.url());
            ApiClient api = service.api();
            assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                    .isEqualTo(201);

            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch someSent = new CountDownLatch(100);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int worker = i;
                results.add(pool.submit(() -> {
                    StringBuilder accepted = new StringBuilder();
                    for (int n = 0; n < 10_000; n++) {
                        String id = worker + "-" + n;
                        Response r;
                        try {
                            r = api.publish(json(Map.of("routingKey", queue, "message", id)));
                        } catch (UncheckedIOException e) {
                            break; // the server closed its port: done
                        }
                        someSent.countDown();
                        if (r.status() == 202) {
                            accepted.append(id).append(',');
                        } else {
                            assertThat(r.status()).as(r.body()).isEqualTo(503);
                        }
                    }
                    return accepted.toString();
                }));
            }
            someSent.await();
            service.stop();
            pool.shutdown();

            Set<String> accepted = new HashSet<>();
            for (Future<String> f : results) {
                for (String id : f.get().split(",")) {
                    if (!id.isEmpty()) {
                        accepted.add("\"" + id + "\"");
                    }
                }
            }
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(100);
            assertThat(new HashSet<>(broker.drain(queue))).containsAll(accepted);
        }
    }
}
