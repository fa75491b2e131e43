package io.queueservice.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.queueservice.testing.PrivateRabbitNode;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Definitions survive a restart of the broker (a private node) and of the service. */
class DefinitionsLogRestartIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void definitionsSurviveABrokerRestartAndChangesFlowAgainAfterIt() {
        try (PrivateRabbitNode node = PrivateRabbitNode.start("definitions")) {
            DefinitionsLogSettings settings = DefinitionsLogSettings.defaults(DefinitionsLogSettings.DEFAULT_STREAM);
            try (DefinitionsLogIT.Instance a = new DefinitionsLogIT.Instance(node.amqpUrl(), settings);
                    DefinitionsLogIT.Instance b = new DefinitionsLogIT.Instance(node.amqpUrl(), settings)) {
                assertThat(a.log.awaitReady(Duration.ofSeconds(10))).isTrue();
                assertThat(b.log.awaitReady(Duration.ofSeconds(10))).isTrue();
                Definition before = a.log.put(
                                "subscription",
                                "orders",
                                JSON.createObjectNode().put("endpoint", "https://before"),
                                Precondition.absent())
                        .join();

                node.restart();

                // Both instances reconnect and still hold it; a write through one reaches the other within 2 s.
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> {
                            try {
                                a.log.put(
                                                "subscription",
                                                "after",
                                                JSON.createObjectNode().put("endpoint", "https://after"),
                                                Precondition.any())
                                        .join();
                                return true;
                            } catch (CompletionException e) {
                                return false;
                            }
                        });
                await().atMost(Duration.ofSeconds(2))
                        .until(() -> b.log.get("subscription", "after").isPresent());
                assertThat(a.log.get("subscription", "orders")).contains(before);
                assertThat(b.log.get("subscription", "orders")).contains(before);
            }
            // A service instance started afterwards loads both from the stream on disk.
            try (DefinitionsLogIT.Instance c = new DefinitionsLogIT.Instance(node.amqpUrl(), settings)) {
                assertThat(c.log.awaitReady(Duration.ofSeconds(10))).isTrue();
                assertThat(c.log.definitions("subscription")).containsOnlyKeys("orders", "after");
            }
        }
    }
}
