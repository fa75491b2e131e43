package io.queueservice.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PublishConfig;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.testing.SharedBroker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A batch that does not fit among the messages in flight is refused whole, before anything is sent. */
class PublishAllIT {
    @Test
    void aBatchLargerThanTheRoomLeftIsRefusedWholeAndNothingIsSent() throws Exception {
        String queue = SharedBroker.uniqueName("publish-all");
        ConfigReader env = new ConfigReader(Map.of("RABBITMQ_URL", SharedBroker.url(), "PUBLISH_MAX_IN_FLIGHT", "5"));
        BrokerConfig brokerConfig = BrokerConfig.from(env);
        PublishConfig publishConfig = PublishConfig.from(env);
        try (BrokerConnection connection =
                        new BrokerConnection(brokerConfig, "publish-all-test", Duration.ofSeconds(5));
                var admin = SharedBroker.connect();
                var ch = admin.createChannel()) {
            ch.queueDeclare(queue, false, false, true, null);
            connection.start();
            try (ConfirmingPublisher publisher =
                    new ConfirmingPublisher(connection, new KnownExchanges(), publishConfig, PublishMetrics.NO_OP)) {
                var messages = java.util.stream.IntStream.range(0, 6)
                        .mapToObj(i -> new OutgoingMessage(
                                "", queue, new byte[] {(byte) i}, new com.rabbitmq.client.AMQP.BasicProperties(), true))
                        .toList();

                Throwable refused = catchThrowable(() -> publisher.publishAll(messages));

                assertThat(refused).isInstanceOf(BrokerUnavailableException.class);
                assertThat(((BrokerUnavailableException) refused).retryAfter()).isPositive();
                assertThat(ch.messageCount(queue)).isZero();
                assertThat(publisher.inFlight()).isZero();

                var fits = publisher.publishAll(messages.subList(0, 5));
                for (var f : fits) {
                    f.get();
                }
                assertThat(ch.messageCount(queue)).isEqualTo(5);
            }
        }
    }
}
