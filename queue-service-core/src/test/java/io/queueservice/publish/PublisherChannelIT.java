package io.queueservice.publish;

import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.testing.SharedBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A channel retires after a negative confirm (see {@link PublisherChannel#isUsable()}), on the shared broker: a
 * full queue with {@code x-overflow=reject-publish} nacks on demand.
 */
class PublisherChannelIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private Connection connection;
    private Channel admin;
    private String fullQueue;

    @BeforeEach
    void fullQueue() throws Exception {
        connection = SharedBroker.connect();
        admin = connection.createChannel();
        fullQueue = uniqueName("full");
        admin.queueDeclare(fullQueue, false, false, true, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        admin.queueDelete(fullQueue);
        connection.close();
    }

    @Test
    void aNackRetiresTheChannelOnceItHasLivedItsMinimumLife() throws Exception {
        PublisherChannel ch = open(Duration.ZERO);
        assertThat(ch.isUsable()).isTrue();

        Throwable nacked = catchThrowable(() -> ch.publish(message(fullQueue)).join());

        assertThat(nacked).isInstanceOf(CompletionException.class).hasCauseInstanceOf(MessageNackedException.class);
        assertThat(ch.isUsable()).as("retired: takes no new message").isFalse();
        ch.close();
    }

    @Test
    void aYoungChannelIsNotRetiredSoAQueueThatRefusesEverythingCannotChurnChannels() throws Exception {
        PublisherChannel ch = open(Duration.ofHours(1));

        for (int i = 0; i < 3; i++) {
            Throwable nacked =
                    catchThrowable(() -> ch.publish(message(fullQueue)).join());
            assertThat(nacked).hasCauseInstanceOf(MessageNackedException.class);
        }

        assertThat(ch.isUsable()).isTrue();
        ch.close();
    }

    private PublisherChannel open(Duration minLife) throws Exception {
        return new PublisherChannel(
                connection.createChannel(),
                Runnable::run,
                TIMEOUT,
                () -> {},
                new KnownExchanges(),
                PublisherChannel.Use.SHARED,
                minLife);
    }

    private static OutgoingMessage message(String queue) {
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .messageId(uniqueName("m"))
                .deliveryMode(2)
                .build();
        return new OutgoingMessage("", queue, "1".getBytes(StandardCharsets.UTF_8), props, true);
    }
}
