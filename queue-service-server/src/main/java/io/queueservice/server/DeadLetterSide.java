package io.queueservice.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.broker.ManagementApi;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.deadletters.BrokerDirectory;
import io.queueservice.deadletters.DeadLetterCatalog;
import io.queueservice.deadletters.KnownTopology;
import io.queueservice.deadletters.ManagementDirectory;
import io.queueservice.deadletters.MessageBrowser;
import io.queueservice.metrics.MicrometerRedriveMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.Publisher;
import io.queueservice.redrive.Redriver;
import io.queueservice.server.api.HttpApi;
import io.queueservice.server.api.QueueTraffic;
import io.queueservice.server.email.EmailWorker;
import io.queueservice.server.push.SubscriptionOperations;
import io.queueservice.server.push.SubscriptionView;
import java.time.Duration;
import java.util.Optional;

/**
 * The broker side of dead letters, redrives and the console: a connection of its own (so a redrive never holds
 * up the API's publishing or topology work) with its publisher, the redrives, and what this instance knows of the
 * dead-letter queues (its workers', the push subscriptions', the delay machinery's, and those of the queues declared
 * through the API).
 */
final class DeadLetterSide {
    /** Longest a stop waits for running redrives to settle what they have in flight. */
    private static final Duration REDRIVE_STOP = Duration.ofSeconds(5);

    private final KnownTopology known = new KnownTopology();
    private final QueueTraffic traffic = new QueueTraffic();
    private final BrokerConnection connection;
    private final ConfirmingPublisher publisher;
    private final Redriver redriver;
    private final DeadLetterCatalog catalog;

    DeadLetterSide(
            ServerConfig config,
            ApiGateway gateway,
            Optional<ManagementApi> management,
            MeterRegistry registry,
            boolean emailWorker,
            Optional<SubscriptionOperations> subscriptions) {
        if (emailWorker) {
            known.consumed(EmailWorker.QUEUE);
        }
        known.machinery(gateway.delays.levels().prefix());
        known.register(
                gateway.delays.levels().deadLetterQueue(),
                gateway.delays.levels().dueQueue());
        // A subscription's deliverer is a worker of the toolkit: its dead letters go to <queue>.dlq.
        subscriptions.ifPresent(s -> known.subscriptions(
                () -> s.list().stream().map(SubscriptionView::queue).toList()));
        connection = new BrokerConnection(
                config.broker(), "queue-service-redrive", config.publish().requestTimeout());
        publisher = new ConfirmingPublisher(connection, new KnownExchanges(), config.publish(), PublishMetrics.NO_OP);
        redriver = new Redriver(connection, publisher, new MicrometerRedriveMetrics(registry));
        catalog = new DeadLetterCatalog(
                gateway.topology,
                known,
                management.map(m -> (BrokerDirectory) new ManagementDirectory(m)),
                new MessageBrowser(connection));
    }

    /** {@code topology}, telling this side what the API declares, binds and deletes. */
    TopologyOperations recording(TopologyOperations topology) {
        return known.recording(topology);
    }

    /** {@code publisher}, counting what the API publishes to each queue, for the console. */
    Publisher counting(Publisher publisher) {
        return traffic.counting(publisher);
    }

    HttpApi.DeadLetters api() {
        return new HttpApi.DeadLetters(catalog, redriver, traffic);
    }

    void start() {
        connection.start();
    }

    /** Cancels running redrives (they settle what is in flight, for a few seconds at most), then closes. */
    void close() {
        redriver.stop(REDRIVE_STOP);
        redriver.close();
        publisher.close();
        connection.close();
    }
}
