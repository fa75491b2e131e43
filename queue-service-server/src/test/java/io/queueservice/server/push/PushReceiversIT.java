package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The receivers of docs/push-subscriptions.md (Node and Python), run as a reader would run them, get real
 * deliveries: they verify the signatures and print what they took; with another secret they refuse (401).
 */
class PushReceiversIT {
    private static final Path ROOT = repoRoot();
    private static final Path RECEIVERS = ROOT.resolve("docs/push-receivers");
    private static final Path DOC = ROOT.resolve("docs/push-subscriptions.md");

    /** The repository's root: the nearest folder up from the working directory that has docs/push-receivers. */
    private static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs/push-receivers"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "docs/push-receivers not found above " + Path.of("").toAbsolutePath());
    }

    private PushFixture fixture;
    private Process receiver;
    private final List<String> printed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        fixture = new PushFixture();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (receiver != null) {
            receiver.destroyForcibly().waitFor();
        }
        fixture.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"receiver.js", "receiver.py"})
    void theDocumentedReceiverVerifiesRealDeliveries(String script) throws Exception {
        String source = Files.readString(RECEIVERS.resolve(script));
        assertThat(Files.readString(DOC))
                .as("the page shows %s as it is", script)
                .contains(source.strip());

        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-receiver");
        int port = freePort();
        SubscriptionView created = push.subscriptions()
                .create(new SubscriptionRequest(
                        "doc-receiver", queue, "http://127.0.0.1:" + port + "/", null, 3, 2000, 2, null));
        start(script, created.secret(), port);

        List<String> ids = fixture.publish(queue, 5, "doc");
        await().atMost(Duration.ofSeconds(20)).until(() -> printed.size() >= 5);
        assertThat(printed).allSatisfy(line -> assertThat(line).startsWith("{"));
        assertThat(printed.stream().map(l -> l.replaceAll(".*\"id\": ?\"([^\"]+)\".*", "$1")))
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(printed.get(0)).contains("\\\"n\\\":");
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.depth(queue) == 0);
        assertThat(push.subscriptions().get("doc-receiver").counts().delivered())
                .isEqualTo(5);

        // Signed with another secret: the receiver refuses every attempt, nothing is printed.
        String other = fixture.queue("push-receiver-other");
        push.subscriptions()
                .create(new SubscriptionRequest(
                        "doc-receiver-wrong", other, "http://127.0.0.1:" + port + "/", null, 2, 2000, 1, null));
        fixture.publish(other, 1, "forged");
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.depth(other + ".dlq") == 1);
        assertThat(push.subscriptions().get("doc-receiver-wrong").lastError().httpStatus())
                .isEqualTo(401);
        assertThat(printed).noneMatch(l -> l.contains("forged"));
    }

    private void start(String script, String secret, int port) throws IOException {
        String command = script.endsWith(".js") ? "node" : "python3";
        ProcessBuilder pb =
                new ProcessBuilder(command, RECEIVERS.resolve(script).toString()).redirectErrorStream(true);
        pb.environment().put("WEBHOOK_SECRET", secret);
        pb.environment().put("PORT", Integer.toString(port));
        receiver = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    printed.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                assertThat(receiver.isAlive())
                        .as("%s is running (output: %s)", script, printed)
                        .isTrue();
                return false;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
