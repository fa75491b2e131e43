package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.queueservice.testing.SharedBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator-facing scripts and probes against a running service (in-process, on a free port) and the
 * shared broker: scripts/test-publish.sh really puts its 20 messages in the queue, and the health check of
 * the Dockerfile and the probe paths of the deployment files answer.
 */
class TestPublishScriptIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(SharedBroker.url());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void testPublishScriptPutsTwentyMessagesInItsQueue() throws Exception {
        String queue = SharedBroker.uniqueName("test-publish-q");
        String exchange = SharedBroker.uniqueName("test-publish-x");
        try (Connection c = SharedBroker.connect()) {
            try {
                Result run = bash(
                        List.of("scripts/test-publish.sh"),
                        Map.of(
                                "QUEUE_SERVICE_URL", "http://127.0.0.1:" + service.port(),
                                "TEST_QUEUE", queue,
                                "TEST_EXCHANGE", exchange));

                assertThat(run.exit())
                        .as("exit code; output:%n%s", run.output())
                        .isZero();
                assertThat(run.output())
                        .contains("exchange '" + exchange + "' (direct)")
                        .contains("binding '" + exchange + "' -> '" + queue + "'")
                        .contains("published 20 messages");

                // What reached the broker, read with a plain AMQP client.
                Channel ch = c.createChannel();
                assertThat(ch.queueDeclarePassive(queue).getMessageCount()).isEqualTo(20);
                List<Integer> numbers = new ArrayList<>();
                GetResponse m;
                while ((m = ch.basicGet(queue, true)) != null) {
                    assertThat(m.getEnvelope().getExchange()).isEqualTo(exchange);
                    JsonNode body = JSON.readTree(new String(m.getBody(), StandardCharsets.UTF_8));
                    numbers.add(body.path("number").asInt());
                }
                assertThat(numbers)
                        .containsExactlyElementsOf(
                                IntStream.rangeClosed(1, 20).boxed().toList());
            } finally {
                try (Channel ch = c.createChannel()) {
                    ch.queueDelete(queue);
                    ch.exchangeDelete(exchange);
                }
            }
        }
    }

    @Test
    void testPublishScriptStopsOnARefusedRequest() throws Exception {
        // A queue name the API refuses (amq. prefix): the script says so and exits non-zero.
        Result run = bash(
                List.of("scripts/test-publish.sh"),
                Map.of(
                        "QUEUE_SERVICE_URL", "http://127.0.0.1:" + service.port(),
                        "TEST_QUEUE", "amq.not-allowed",
                        "TEST_EXCHANGE", "amq.not-allowed"));
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("error: POST /api/v1/exchanges answered 400");
        // It stopped there: nothing after the exchange was attempted.
        assertThat(run.output()).doesNotContain("/api/v1/queues", "published");
    }

    @Test
    void dockerfileHealthCheckAndProbePathsAnswer() throws Exception {
        Result health = bash(
                List.of("-c", DeploymentFilesTest.healthcheckCommand()),
                Map.of("PORT", String.valueOf(service.port())));
        assertThat(health.exit())
                .as("the image's HEALTHCHECK command; output:%n%s", health.output())
                .isZero();
        // Against a port where nothing listens, it fails: the check can fail.
        Result down = bash(List.of("-c", DeploymentFilesTest.healthcheckCommand()), Map.of("PORT", "1"));
        assertThat(down.exit()).isNotZero();

        for (String path : List.of("/healthz", "/healthz/ready", "/metrics")) {
            assertThat(service.api().get(path).status()).as("GET %s", path).isEqualTo(200);
        }
    }

    private record Result(int exit, String output) {}

    /** Runs bash from the repository root with {@code env} added; bounded, so a hang fails the test. */
    private static Result bash(List<String> args, Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(DeploymentFilesTest.ROOT.toFile())
                .redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bash " + command + " did not finish within 60 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
