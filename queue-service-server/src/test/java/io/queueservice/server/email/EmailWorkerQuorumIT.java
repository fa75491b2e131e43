package io.queueservice.server.email;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.testing.SharedBroker;
import io.queueservice.testing.SharedBrokerTypes;
import io.queueservice.worker.FailureHeaders;
import io.queueservice.worker.WorkerOptions;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The email worker with {@code DEFAULT_QUEUE_TYPE=quorum}, as the Kubernetes files run it: its work,
 * retry and dead-letter queues are quorum queues, and retries (message TTL and dead-lettering back to the
 * work queue, RabbitMQ 3.10+) and dead-lettering work on them. Shared broker, names of its own.
 */
class EmailWorkerQuorumIT {
    private final AtomicInteger retried = new AtomicInteger();
    private final WorkerMetrics metrics = new WorkerMetrics() {
        @Override
        public void consumed(String queue, String outcome, Duration processing) {}

        @Override
        public void consumeFailed(String queue, String reason) {}

        @Override
        public void retried(String queue) {
            retried.incrementAndGet();
        }

        @Override
        public void deadLettered(String queue) {}

        @Override
        public void circuitState(String queue, String state) {}
    };

    private Connection probe;
    private QueueClient client;
    private WorkerOptions options;
    private String exchange;
    private String queue;
    private int smtpPort;
    private GreenMail smtp;

    @BeforeEach
    void setUp() throws Exception {
        probe = SharedBroker.connect();
        exchange = uniqueName("email");
        queue = uniqueName("email_confirmation");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            smtpPort = s.getLocalPort();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close();
        }
        try (Channel ch = probe.createChannel()) {
            for (String q : queues()) {
                ch.queueDelete(q);
            }
            ch.exchangeDelete(exchange);
        }
        probe.close();
        if (smtp != null) {
            smtp.stop();
        }
    }

    /** A client and options read from the environment a deployment would set; the breaker never opens here. */
    private void connect(int maxRetries) {
        ConfigReader env = new ConfigReader(Map.of(
                "RABBITMQ_URL", SharedBroker.url(),
                "DEFAULT_QUEUE_TYPE", "quorum",
                "MAX_RETRIES", Integer.toString(maxRetries),
                "INITIAL_RETRY_DELAY", "200",
                "MAX_RETRY_DELAY", "800",
                "CIRCUIT_BREAKER_MIN_CALLS", "1000",
                "CIRCUIT_BREAKER_WINDOW", "1000"));
        options = WorkerOptions.from(env);
        client = new QueueClient(
                "email-quorum-it",
                BrokerConfig.from(env),
                PublishConfig.from(env),
                options,
                PublishMetrics.NO_OP,
                metrics);
        env.validate();
        assertThat(options.queueType()).isEqualTo(QueueType.QUORUM);
    }

    private void startWorker() {
        ConfigReader env = new ConfigReader(Map.of(
                "SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(smtpPort),
                "SMTP_FROM", "no-reply@queue-service.test",
                "SMTP_TIMEOUT", "2000"));
        SmtpConfig config = SmtpConfig.from(env);
        env.validate();
        EmailWorker.start(client, config, options, exchange, queue);
    }

    /** The work queue, its retry queues (steps of 200, 400 and 800 ms) and its dead-letter queue. */
    private List<String> queues() {
        List<String> all = new ArrayList<>(List.of(queue, queue + ".dlq"));
        Set<Long> steps = new LinkedHashSet<>();
        int retries = options == null ? 0 : options.retry().maxRetries();
        for (int n = 1; n <= retries; n++) {
            steps.add(Math.min(200L << (n - 1), 800L));
        }
        steps.forEach(ms -> all.add(queue + ".retry." + ms));
        return all;
    }

    private String publish(Object message) {
        return client.publish(exchange, EmailWorker.ROUTING_KEY, message).join();
    }

    private long depth(String q) throws Exception {
        try (Channel ch = probe.createChannel()) {
            return ch.queueDeclarePassive(q).getMessageCount();
        }
    }

    private long total() throws Exception {
        long n = 0;
        for (String q : queues()) {
            n += depth(q);
        }
        return n;
    }

    private void assertAllQuorum() {
        Map<String, String> types = SharedBrokerTypes.of(queues());
        assertThat(types).containsOnlyKeys(queues());
        assertThat(types).allSatisfy((q, type) -> assertThat(type).as(q).isEqualTo("quorum"));
    }

    @Test
    void aMessageRetriedThroughQuorumRetryQueuesIsDeliveredOnceSmtpIsBack() throws Exception {
        connect(10);
        startWorker(); // SMTP down: every send fails at once
        assertAllQuorum();

        String id = publish(Map.of("to", "ada@example.com", "subject", "Hello", "body", "through quorum queues"));
        // Twice through a retry queue (200 and 400 ms steps) and back to the work queue.
        await().atMost(Duration.ofSeconds(15)).until(() -> retried.get() >= 2);
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();

        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length >= 1);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(10)).until(() -> total() == 0);
        MimeMessage[] emails = smtp.getReceivedMessages();
        assertThat(emails).hasSize(1);
        assertThat(emails[0].getHeader(EmailSender.MESSAGE_ID_HEADER)).containsExactly(id);
        assertThat(depth(queue + ".dlq")).isZero();
    }

    @Test
    void invalidAndExhaustedMessagesAreDeadLetteredOnTheQuorumDeadLetterQueue() throws Exception {
        connect(2);
        startWorker(); // SMTP down
        assertAllQuorum();

        String failing = publish(Map.of("to", "ada@example.com", "subject", "Hello", "body", "never sent"));
        String invalid = publish(Map.of("subject", "no recipient", "body", "x"));

        await().atMost(Duration.ofSeconds(15)).until(() -> depth(queue + ".dlq") == 2);
        List<GetResponse> dead = new ArrayList<>();
        try (Channel ch = probe.createChannel()) {
            for (GetResponse r = ch.basicGet(queue + ".dlq", true); r != null; r = ch.basicGet(queue + ".dlq", true)) {
                dead.add(r);
            }
        }
        Map<String, Map<String, Object>> headers = dead.stream()
                .collect(Collectors.toMap(
                        r -> r.getProps().getMessageId(), r -> r.getProps().getHeaders(), (a, b) -> a));
        assertThat(headers).containsOnlyKeys(failing, invalid);
        assertThat(headers.get(failing).get(FailureHeaders.ATTEMPT)).isEqualTo(3);
        assertThat(headers.get(failing).get(FailureHeaders.REASON).toString()).contains("retries exhausted");
        assertThat(headers.get(invalid).get(FailureHeaders.ATTEMPT)).isEqualTo(1);
        assertThat(retried.get()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> total() == 0);
    }

    @Test
    void anExistingClassicQueueStopsTheWorkerWithAMessageThatSaysWhatToDo() throws Exception {
        connect(2);
        try (Channel ch = probe.createChannel()) {
            ch.queueDeclare(queue, true, false, false, null); // as an older version declared it
        }

        ResourceConflictException e = catchThrowableOfType(ResourceConflictException.class, this::startWorker);

        assertThat(e).as("the worker must not start on a queue of another type").isNotNull();
        assertThat(e.argument()).contains("x-queue-type");
        assertThat(e.getMessage())
                .contains("queue '" + queue + "' exists with another type than quorum")
                .contains("DEFAULT_QUEUE_TYPE=quorum")
                .contains("move its messages elsewhere and delete it");
        assertThat(SharedBrokerTypes.of(queue)).isEqualTo("classic");
        assertThat(SharedBrokerTypes.of(queues())).containsOnlyKeys(queue); // nothing else declared
    }
}
