package io.queueservice.delay;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.MicrometerDelayMetrics;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

/**
 * What an API instance runs for delayed delivery, against a broker: a publishing connection and its
 * confirming publisher, and a connection of its own for the delay topology and the dispatcher.
 */
final class DelayRig implements AutoCloseable {
    final BrokerConnection publishConnection;
    final BrokerConnection delayConnection;
    final ConfirmingPublisher publisher;
    final DelayedDelivery delays;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    DelayRig(String amqpUrl, DelayConfig config, String name) {
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", amqpUrl, "RABBITMQ_CONNECTION_TIMEOUT", "2000"));
        BrokerConfig broker = BrokerConfig.from(env);
        PublishConfig publish = PublishConfig.from(env);
        env.validate();
        publishConnection = new BrokerConnection(broker, name + "-publish", publish.requestTimeout());
        delayConnection = new BrokerConnection(broker, name + "-delay", Duration.ofSeconds(30));
        publisher = new ConfirmingPublisher(
                publishConnection, new io.queueservice.broker.KnownExchanges(), publish, PublishMetrics.NO_OP);
        delays = DelayedDelivery.start(delayConnection, publisher, config, new MicrometerDelayMetrics(registry));
        publishConnection.start();
        delayConnection.start();
    }

    /** Waits until the topology is declared and the dispatcher consumes. */
    DelayRig ready() {
        delays.whenReady().orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(delays::dispatching);
        return this;
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** Dies as a process killed with -9 would, seen from the broker: both connections cut, nothing settled. */
    void kill() {
        for (BrokerConnection c : new BrokerConnection[] {delayConnection, publishConnection}) {
            try {
                c.require().abort();
            } catch (RuntimeException e) {
                // not connected: nothing to cut
            }
        }
        delays.close(Duration.ZERO);
        publisher.close();
        delayConnection.close();
        publishConnection.close();
    }

    @Override
    public void close() {
        delays.close();
        publisher.drain(Duration.ofSeconds(5));
        publisher.close();
        delayConnection.close();
        publishConnection.close();
    }

    /** A persistent JSON message with its own id and a header. */
    static OutgoingMessage message(String exchange, String routingKey, String body, boolean mandatory) {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(2)
                .messageId(UUID.randomUUID().toString())
                .correlationId("corr-" + body.length())
                .timestamp(new Date())
                .headers(Map.of("tenant", "acme"))
                .build();
        return new OutgoingMessage(
                exchange, routingKey, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), props, mandatory);
    }

    /** Deletes everything {@link DelayTopology#declare} made with these names. */
    static void deleteTopology(Connection c, DelayLevels levels) throws IOException {
        try (Channel ch = c.createChannel()) {
            for (int level = 0; level < DelayLevels.LEVELS; level++) {
                ch.queueDelete(levels.queue(level));
                ch.exchangeDelete(levels.exchange(level));
            }
            ch.queueDelete(levels.dueQueue());
            ch.queueDelete(levels.deadLetterQueue());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }
}
