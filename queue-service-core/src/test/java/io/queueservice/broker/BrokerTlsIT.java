package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.testing.PrivateRabbitNode;
import io.queueservice.testing.TestCertificates;
import io.queueservice.testing.TestCertificates.KeyFormat;
import io.queueservice.worker.WorkerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.slf4j.LoggerFactory;

/**
 * TLS to a private RabbitMQ node with a TLS listener, and certificates made for this run by a test CA.
 * The node's certificate names {@code localhost} only, so connecting to {@code 127.0.0.1} is connecting
 * to a host the certificate was not issued for.
 */
// Runs beside the other test classes (it mostly waits for its private nodes), its tests one after the other.
@Execution(ExecutionMode.CONCURRENT)
class BrokerTlsIT {
    private static final String CLIENT_USER = "qs-tls-client";

    private static Path dir;
    private static TestCertificates ca;
    private static TestCertificates otherCa;
    private static PrivateRabbitNode node;

    private final Logger connectionLog = (Logger) LoggerFactory.getLogger(BrokerConnection.class);
    private final ListAppender<ILoggingEvent> logLines = new ListAppender<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startNode() throws Exception {
        dir = Files.createTempDirectory("qs-tls-it-");
        ca = TestCertificates.newAuthority(dir, "test-ca");
        otherCa = TestCertificates.newAuthority(dir, "other-ca");
        TestCertificates.Issued server = ca.server("broker", List.of("localhost"));
        node = PrivateRabbitNode.startWithTls(
                "tls",
                new PrivateRabbitNode.TlsListener(ca.caFile(), server.certFile(), server.keyFile(), false, true));
        // EXTERNAL logs in as the certificate's common name: that user must exist (no password needed).
        node.rabbitmqctl("add_user", CLIENT_USER, UUID.randomUUID().toString());
        node.rabbitmqctl("clear_password", CLIENT_USER);
        node.rabbitmqctl("set_permissions", "-p", "/", CLIENT_USER, ".*", ".*", ".*");
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @BeforeEach
    void captureConnectionLog() {
        logLines.start();
        connectionLog.addAppender(logLines);
    }

    @AfterEach
    void closeClients() throws Exception {
        connectionLog.detachAppender(logLines);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void connectsAndPublishesWhenTheBrokersCertificateChainsToTheConfiguredCa() {
        QueueClient client = client(Map.of(
                "RABBITMQ_URL",
                "amqps://guest:guest@localhost:" + node.tlsPort(),
                "TLS_CA_PATH",
                ca.caFile().toString()));
        String queue = "tls-" + UUID.randomUUID();

        client.createQueue(queue);
        client.publish("", queue, Map.of("over", "tls")).join();

        assertThat(messagesIn("/", queue)).isEqualTo(1);
        // Every connection of the client is encrypted, with TLS 1.2 or 1.3.
        List<String> connections = connections("guest");
        assertThat(connections).isNotEmpty().allSatisfy(c -> assertThat(c).containsPattern("\ttrue\ttlsv1\\.[23]\t"));
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aBurstOfPublishesIsCoalescedBelowTlsAndArrivesWhole() {
        QueueClient client = client(Map.of(
                "RABBITMQ_URL",
                "amqps://guest:guest@localhost:" + node.tlsPort(),
                "TLS_CA_PATH",
                ca.caFile().toString()));
        String queue = "tls-burst-" + UUID.randomUUID();
        client.createQueue(queue);

        List<CompletableFuture<String>> sent = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            sent.add(client.publish("", queue, Map.of("n", i, "padding", "x".repeat(i % 700))));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();

        assertThat(messagesIn("/", queue)).isEqualTo(2000);
        // A purge runs on a connection of its own: it must be a TLS connection too (the port speaks only TLS).
        assertThat(client.topology().purgeQueue(queue)).isEqualTo(2000);
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void refusesABrokerWhoseCertificateIsNotFromTheConfiguredCa() {
        BrokerConnection connection = connection(Map.of(
                "RABBITMQ_URL",
                "amqps://guest:guest@localhost:" + node.tlsPort(),
                "TLS_CA_PATH",
                otherCa.caFile().toString()));

        connection.start();

        assertThat(connection.state()).isEqualTo(BrokerConnection.State.CONNECTING);
        assertThat(failures())
                .anySatisfy(line ->
                        assertThat(line).contains("SSLHandshakeException").contains("PKIX path building failed"));
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void refusesABrokerWhoseCertificateIsTrustedByTheJdkOnlyWhenNoCaIsGiven() {
        // No TLS_CA_PATH: the JDK's trust store, where the test CA is not.
        BrokerConnection connection =
                connection(Map.of("RABBITMQ_URL", "amqps://guest:guest@localhost:" + node.tlsPort()));

        connection.start();

        assertThat(connection.state()).isEqualTo(BrokerConnection.State.CONNECTING);
        assertThat(failures()).anySatisfy(line -> assertThat(line).contains("PKIX path building failed"));
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void refusesACertificateIssuedForAnotherHostName() {
        // Same port, same trusted CA, but reached as 127.0.0.1, which the certificate (localhost) does not name.
        BrokerConnection connection = connection(Map.of(
                "RABBITMQ_URL",
                "amqps://guest:guest@127.0.0.1:" + node.tlsPort(),
                "TLS_CA_PATH",
                ca.caFile().toString()));

        connection.start();

        assertThat(connection.state()).isEqualTo(BrokerConnection.State.CONNECTING);
        assertThat(failures())
                .anySatisfy(line -> assertThat(line)
                        .contains("SSLHandshakeException")
                        .contains("No subject alternative names matching IP address 127.0.0.1"));
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void mutualTlsWithExternalLogsInAsTheCertificatesCommonName() {
        TestCertificates.Issued cert = ca.client("client-" + UUID.randomUUID(), CLIENT_USER, KeyFormat.PKCS1);
        QueueClient client = client(Map.of(
                "RABBITMQ_URL", "amqps://localhost:" + node.tlsPort(),
                "TLS_CA_PATH", ca.caFile().toString(),
                "TLS_CERT_PATH", cert.certFile().toString(),
                "TLS_KEY_PATH", cert.keyFile().toString(),
                "RABBITMQ_AUTH_MECHANISM", "external"));
        String queue = "tls-external-" + UUID.randomUUID();

        client.createQueue(queue);
        client.publish("", queue, "signed in by certificate").join();

        assertThat(messagesIn("/", queue)).isEqualTo(1);
        assertThat(connections(CLIENT_USER))
                .hasSize(3)
                .allSatisfy(c -> assertThat(c).endsWith("\tEXTERNAL").contains("\ttrue\t"));
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void externalLoginWithACertificateOfAnUnknownUserIsRefused() {
        TestCertificates.Issued cert = ca.client("stranger-" + UUID.randomUUID(), "stranger", KeyFormat.PKCS8);
        BrokerConnection connection = connection(Map.of(
                "RABBITMQ_URL", "amqps://localhost:" + node.tlsPort(),
                "TLS_CA_PATH", ca.caFile().toString(),
                "TLS_CERT_PATH", cert.certFile().toString(),
                "TLS_KEY_PATH", cert.keyFile().toString(),
                "RABBITMQ_AUTH_MECHANISM", "external"));

        connection.start();

        assertThat(connection.state()).isEqualTo(BrokerConnection.State.CONNECTING);
        assertThat(failures()).anySatisfy(line -> assertThat(line).contains("ACCESS_REFUSED"));
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void theVirtualHostOfTheUrlIsWhereMessagesGo() {
        String vhost = "qs-vhost-" + UUID.randomUUID();
        node.rabbitmqctl("add_vhost", vhost);
        node.rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        // %2F-free name, so the URL path is the name as is; over TLS, so both are honoured together.
        QueueClient client = client(Map.of(
                "RABBITMQ_URL",
                "amqps://guest:guest@localhost:" + node.tlsPort() + "/" + vhost,
                "TLS_CA_PATH",
                ca.caFile().toString()));
        String queue = "vhost-" + UUID.randomUUID();

        client.createQueue(queue);
        client.publish("", queue, "in its own vhost").join();

        assertThat(messagesIn(vhost, queue)).isEqualTo(1);
        assertThat(node.rabbitmqctl("list_queues", "-p", "/", "--no-table-headers", "-q", "name"))
                .doesNotContain(queue);
    }

    // --------------------------------------------------------------------------------------------

    private QueueClient client(Map<String, String> settings) {
        ConfigReader env = reader(settings);
        QueueClient client = new QueueClient(
                "tls-it",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                WorkerOptions.defaults(),
                PublishMetrics.NO_OP,
                WorkerMetrics.NO_OP);
        toClose.add(client);
        assertThat(client.connections())
                .as("connected: %s", failuresSoFar())
                .allSatisfy(c -> assertThat(c.state()).isEqualTo(BrokerConnection.State.CONNECTED));
        return client;
    }

    private BrokerConnection connection(Map<String, String> settings) {
        BrokerConnection connection =
                new BrokerConnection(BrokerConfig.from(reader(settings)), "tls-it-refused", Duration.ofSeconds(5));
        toClose.add(connection);
        return connection;
    }

    private static ConfigReader reader(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("RABBITMQ_CONNECTION_TIMEOUT", "5000");
        ConfigReader env = new ConfigReader(all);
        BrokerConfig.from(env);
        env.validate();
        return env;
    }

    /** The log lines about failed connection attempts, waiting for the first one. */
    private List<String> failures() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !failuresSoFar().isEmpty());
        return failuresSoFar();
    }

    private List<String> failuresSoFar() {
        return logLines.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("cannot connect"))
                .toList();
    }

    private static long messagesIn(String vhost, String queue) {
        // Confirmed messages are in the queue: its count is exact at once.
        return node.rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers", "-q", "name", "messages")
                .lines()
                .filter(l -> l.startsWith(queue + "\t"))
                .mapToLong(l -> Long.parseLong(l.substring(queue.length() + 1).strip()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no queue " + queue + " in vhost " + vhost));
    }

    /** The node's connections of {@code user}: "user, ssl, ssl_protocol, auth_mechanism", tab-separated. */
    private static List<String> connections(String user) {
        return node.rabbitmqctl(
                        "list_connections", "--no-table-headers", "-q", "user", "ssl", "ssl_protocol", "auth_mechanism")
                .lines()
                .filter(l -> l.startsWith(user + "\t"))
                .toList();
    }
}
