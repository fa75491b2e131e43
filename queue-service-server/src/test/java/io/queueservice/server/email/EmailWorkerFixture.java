package io.queueservice.server.email;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.rabbitmq.client.GetResponse;
import io.queueservice.client.QueueClient;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.server.BrokerProbe;
import io.queueservice.testing.SharedBroker;
import io.queueservice.worker.RetrySchedule;
import io.queueservice.worker.Worker;
import io.queueservice.worker.WorkerOptions;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One email worker under test on the shared broker: an exchange and a work queue of its own (deleted on
 * {@link #close()}, with the retry and dead-letter queues the worker declared, named by {@link
 * RetrySchedule}), a real SMTP server (GreenMail on 127.0.0.1, on a port reserved up front and started when
 * the test says so, so a test can begin with SMTP down), and a client that publishes as producers do.
 */
final class EmailWorkerFixture implements AutoCloseable {
    /** The sender every worker of the fixture uses. */
    static final String FROM = "Queue Service <no-reply@queue-service.test>";

    final BrokerProbe broker;
    final QueueClient client;
    /** The options read from the settings; {@link #startWorker()} uses them. */
    final WorkerOptions options;

    final String exchange;
    final String queue;
    final int smtpPort;

    private final Map<String, String> settings;
    private WorkerOptions workerOptions;
    private Worker worker;
    private GreenMail smtp;

    /**
     * @param settings the environment of the client and the worker besides the broker and SMTP ({@code
     *     MAX_RETRIES}, {@code DEFAULT_QUEUE_TYPE}, {@code EMAIL_TEMPLATES_DIR}, ...), checked at once
     */
    EmailWorkerFixture(String clientName, Map<String, String> settings, WorkerMetrics metrics) throws Exception {
        Map<String, String> env = new HashMap<>(settings);
        env.put("RABBITMQ_URL", SharedBroker.url());
        this.settings = Map.copyOf(env);
        ConfigReader reader = new ConfigReader(env);
        this.options = WorkerOptions.from(reader);
        BrokerConfig brokerConfig = BrokerConfig.from(reader);
        PublishConfig publishConfig = PublishConfig.from(reader);
        reader.validate();
        this.broker = new BrokerProbe(SharedBroker.url());
        this.exchange = uniqueName("email");
        this.queue = uniqueName("email_confirmation");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            this.smtpPort = s.getLocalPort();
        }
        this.client = new QueueClient(clientName, brokerConfig, publishConfig, options, PublishMetrics.NO_OP, metrics);
    }

    /** Starts GreenMail on {@link #smtpPort}. */
    GreenMail startSmtp() {
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        return smtp;
    }

    GreenMail smtp() {
        return smtp;
    }

    /** Starts the worker with {@link #options}. */
    Worker startWorker() {
        return startWorker(options);
    }

    /**
     * Starts the worker on this fixture's exchange and queue, sending to {@link #smtpPort} from {@link #FROM}.
     *
     * @throws io.queueservice.broker.BrokerException as {@link EmailWorker#start} does
     */
    Worker startWorker(WorkerOptions workerOptions) {
        Map<String, String> env = new HashMap<>(settings);
        env.putAll(Map.of(
                "SMTP_HOST",
                "127.0.0.1",
                "SMTP_PORT",
                Integer.toString(smtpPort),
                "SMTP_FROM",
                FROM,
                "SMTP_TIMEOUT",
                "2000"));
        ConfigReader reader = new ConfigReader(env);
        EmailConfig config = EmailConfig.from(reader);
        reader.validate();
        this.workerOptions = workerOptions;
        worker = EmailWorker.start(client, config, workerOptions, exchange, queue);
        return worker;
    }

    Worker worker() {
        return worker;
    }

    /** Publishes as a producer would (the gateway's POST /api/v1/publish does the same); returns the message id. */
    String publish(Object message) {
        return client.publish(exchange, EmailWorker.ROUTING_KEY, message).join();
    }

    /** Waits (bounded) until at least {@code count} emails arrived, and returns all of them. */
    MimeMessage[] awaitEmails(int count) {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> smtp.getReceivedMessages().length >= count);
        return smtp.getReceivedMessages();
    }

    /** The work queue, its retry queues (those of the worker's retry settings) and its dead-letter queue. */
    List<String> queues() {
        RetrySchedule schedule = new RetrySchedule(queue, (workerOptions == null ? options : workerOptions).retry());
        List<String> all = new ArrayList<>(List.of(queue, schedule.deadLetterQueue()));
        all.addAll(schedule.retryQueues());
        return all;
    }

    String deadLetterQueue() {
        return RetrySchedule.deadLetterQueue(queue);
    }

    long depth(String q) {
        return broker.depth(q);
    }

    /** Messages in all of {@link #queues()}. */
    long total() {
        return queues().stream().mapToLong(broker::depth).sum();
    }

    /** Takes every message now in the dead-letter queue. */
    List<GetResponse> takeDeadLetters() {
        return broker.takeAll(deadLetterQueue());
    }

    static String header(MimeMessage m, String name) throws Exception {
        String[] values = m.getHeader(name);
        return values == null ? null : values[0];
    }

    /** Stops the worker (through its client), deletes the queues and the exchange, stops SMTP. */
    @Override
    public void close() {
        try {
            client.close(); // stops the worker too (Worker.close() must not be called twice)
        } finally {
            queues().forEach(broker::queue);
            broker.exchange(exchange);
            broker.close();
            if (smtp != null) {
                smtp.stop();
            }
        }
    }
}
