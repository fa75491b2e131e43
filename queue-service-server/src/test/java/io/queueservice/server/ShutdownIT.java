package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.testing.SharedBroker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stopping the service (as on SIGTERM) while publishes are in flight loses none that were answered 202. */
class ShutdownIT {
    @Test
    void everyAcceptedPublishIsInTheQueueAfterAStopUnderLoad() {
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url())) {
            String queue = broker.queue(uniqueName("q"));
            RunningService service = RunningService.start(SharedBroker.url());
            ApiClient api = service.api();
            assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                    .isEqualTo(201);

            PublishLoad load = PublishLoad.start(api, "", queue, 16, 10_000, queue, Duration.ofSeconds(15));
            load.awaitMoreAccepted(100, Duration.ofSeconds(30));
            service.stop();
            PublishLoad.Result result = load.stop();

            // 503 while stopping, no answer (0) once the port is closed; nothing else.
            assertThat(result.statuses().keySet()).isSubsetOf(202, 503, 0);
            PublishLoad.Verdict verdict = PublishLoad.Verdict.of("stop under load", result, broker.drain(queue), null)
                    .report();
            assertThat(verdict.lostIds()).isEmpty();
            assertThat(result.hangs()).isZero();
        }
    }
}
