package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.queueservice.testing.PrivateRabbitCluster;
import io.queueservice.testing.PrivateRabbitNode;
import io.queueservice.worker.FailureHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfEnvironmentVariable;

/**
 * A redrive while the quorum leader's node of its dead-letter queue is killed with SIGKILL, on a private three-node
 * cluster: nothing is lost. Every message ends up in its work queue (duplicates are allowed and reported), once a
 * second redrive moved what the first did not. About two minutes, a third of which forms the cluster;
 * QS_CLUSTER_FAULTS=0 skips it, as it does the other cluster fault tests.
 */
@DisabledIfEnvironmentVariable(named = "QS_CLUSTER_FAULTS", matches = "0")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RedriveClusterIT {
    private static final int MESSAGES = 2000;

    private static PrivateRabbitCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = PrivateRabbitCluster.start("redrive");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killingTheDeadLetterQueuesLeaderDuringARedriveLosesNothing() throws Exception {
        try (RunningService service = RunningService.start(cluster.amqpUrls(), Map.of("RABBITMQ_HEARTBEAT", "5"))) {
            ApiClient api = service.api();
            String work = uniqueName("cluster-work");
            String dlq = work + ".dlq";
            for (String q : List.of(work, dlq)) {
                var r = api.post("/api/v1/queues", json(Map.of("name", q, "options", Map.of("type", "quorum"))));
                assertThat(r.status()).as(r.body()).isEqualTo(201);
            }
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < MESSAGES; i++) {
                bodies.add("{\"id\":" + i + "}");
            }
            PrivateRabbitNode leader = cluster.quorumLeader(dlq);
            try (BrokerProbe probe = new BrokerProbe(cluster.survivor(leader).amqpUrl())) {
                put(probe, dlq, work, bodies);
            }

            var started = api.post("/api/v1/queues/" + dlq + "/redrive", json(Map.of("ratePerSecond", 200)));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            String id = started.json().path("id").asText();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> api.get("/api/v1/redrives/" + id)
                                    .json()
                                    .path("moved")
                                    .asLong()
                            >= 300);
            long movedBeforeKill =
                    api.get("/api/v1/redrives/" + id).json().path("moved").asLong();
            leader.kill9();

            JsonNode first = awaitFinished(api, id, Duration.ofSeconds(150));
            leader.startAgain();
            cluster.heal();

            JsonNode second = null;
            String state = first.path("state").asText();
            try (BrokerProbe probe = new BrokerProbe(cluster.survivor().amqpUrl())) {
                if (probe.depth(dlq) > 0) {
                    // What the first one did not move (it failed, or met messages put back at the tail): go again.
                    var again = api.post("/api/v1/queues/" + dlq + "/redrive", json(Map.of("ratePerSecond", 2000)));
                    assertThat(again.status()).as(again.body()).isEqualTo(202);
                    second = awaitFinished(api, again.json().path("id").asText(), Duration.ofSeconds(90));
                    assertThat(second.path("state").asText())
                            .as(second.toString())
                            .isEqualTo("completed");
                }
                assertThat(probe.depth(dlq))
                        .as("nothing left in the dead-letter queue")
                        .isZero();
                List<String> back = probe.drain(work);
                Set<String> distinct = new HashSet<>(back);
                assertThat(distinct)
                        .as("every message is back in its queue")
                        .containsExactlyInAnyOrderElementsOf(bodies);
                System.out.println("RELIABILITY-NOTE redrive, quorum leader of the dead-letter queue killed after "
                        + movedBeforeKill + " of " + MESSAGES + " moved: first redrive " + state + " ("
                        + first.path("moved").asLong() + " moved, "
                        + first.path("failed").asLong() + " failed"
                        + (first.hasNonNull("reason")
                                ? ", " + first.path("reason").asText()
                                : "") + ")"
                        + (second == null
                                ? ""
                                : "; a second redrive moved "
                                        + second.path("moved").asLong())
                        + "; " + (back.size() - distinct.size()) + " duplicate(s) in the work queue");
            }
        }
    }

    private static JsonNode awaitFinished(ApiClient api, String id, Duration atMost) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
            var r = api.get("/api/v1/redrives/" + id);
            last[0] = r.status() == 200 ? r.json() : last[0];
            return last[0] != null && !last[0].path("state").asText().equals("running");
        });
        return last[0];
    }

    private static void put(BrokerProbe probe, String dlq, String work, List<String> bodies) throws Exception {
        Map<String, Object> h = new HashMap<>();
        h.put(FailureHeaders.REASON, "downstream unavailable");
        h.put(FailureHeaders.ORIGINAL_EXCHANGE, "");
        h.put(FailureHeaders.ORIGINAL_ROUTING_KEY, work);
        try (Channel ch = probe.channel()) {
            ch.confirmSelect();
            for (String b : bodies) {
                ch.basicPublish(
                        "",
                        dlq,
                        new AMQP.BasicProperties.Builder()
                                .deliveryMode(2)
                                .headers(h)
                                .build(),
                        b.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }
}
