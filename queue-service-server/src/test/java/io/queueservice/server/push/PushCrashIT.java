package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A deliverer killed with kill -9 in the middle of deliveries loses nothing: it runs in a JVM of its own
 * ({@link PushProcess}), is killed while requests are in flight, and another one delivers the rest.
 */
class PushCrashIT {
    private final PushFixture fixture = new PushFixture();
    private final List<Process> processes = new ArrayList<>();
    private Receiver receiver;

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (receiver != null) {
            receiver.close();
        }
        fixture.close();
    }

    @Test
    void killingTheDelivererWithKill9MidDeliveryLosesNothing() throws Exception {
        receiver = new Receiver();
        receiver.behave(r -> Receiver.Answer.of(204).after(5));
        // This instance only manages the subscription; the child processes deliver.
        fixture.set("PUSH_DELIVERY", "false");
        PushSubscriptions manager = fixture.instance();
        fixture.set("PUSH_DELIVERY", "true");
        String queue = fixture.queue("push-crash");
        manager.subscriptions()
                .create(new SubscriptionRequest("crash", queue, receiver.url("/in"), null, null, 2000, 8, null));
        List<String> ids = fixture.publish(queue, 1000, "k");

        Process first = startDeliverer();
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.ids("/in").size() >= 150);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no acknowledgement after this
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        int atKill = receiver.ids("/in").size();
        assertThat(atKill).as("killed mid-way").isLessThan(1000);
        assertThat(fixture.depth(queue))
                .as("what it had not acknowledged is back in the queue")
                .isPositive();

        startDeliverer();
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.ids("/in").size() == 1000);
        assertThat(receiver.ids("/in")).containsExactlyInAnyOrderElementsOf(ids);
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.depth(queue) == 0);
        // At least once: those in flight at the kill may have come twice, no more.
        assertThat(receiver.requests("/in").size() - 1000).isLessThanOrEqualTo(8 * 10);
    }

    private Process startDeliverer() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(
                        java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), PushProcess.class.getName())
                .redirectErrorStream(true);
        pb.environment().putAll(fixture.env());
        Process p = pb.start();
        processes.add(p);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.equals("ready")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // killed
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (output) {
                throw new AssertionError("the deliverer process did not start: " + String.join("\n", output), e);
            }
        }
        return p;
    }
}
