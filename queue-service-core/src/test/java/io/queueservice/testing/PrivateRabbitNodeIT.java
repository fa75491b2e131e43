package io.queueservice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A private node keeps durable queues and persistent messages across stop/start, and leaves nothing behind. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PrivateRabbitNodeIT {

    @Test
    void persistentMessageSurvivesStopAndStartAgain() throws Exception {
        String queue = SharedBroker.uniqueName("private-node-it");
        byte[] body = "survives a restart".getBytes(StandardCharsets.UTF_8);
        Path dir;

        try (PrivateRabbitNode node = PrivateRabbitNode.start("it")) {
            dir = node.directory();
            assertThat(node.amqpUrl()).isEqualTo("amqp://guest:guest@127.0.0.1:" + node.amqpPort());
            assertThat(node.amqpPort()).isNotIn(5672, 25672);
            assertThat(node.nodeName()).startsWith("qs-test-it-").contains("@");

            ConnectionFactory factory = factory(node);
            try (Connection connection = factory.newConnection();
                    Channel channel = connection.createChannel()) {
                channel.confirmSelect();
                channel.queueDeclare(queue, true, false, false, null);
                channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, body);
                channel.waitForConfirmsOrDie(10_000);
            }
            assertThat(node.rabbitmqctl("list_queues", "-q", "name", "messages"))
                    .contains(queue);

            node.stop();
            assertThatThrownBy(factory::newConnection).isInstanceOf(IOException.class);

            node.startAgain();
            try (Connection connection = factory.newConnection();
                    Channel channel = connection.createChannel()) {
                assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);
                GetResponse response = channel.basicGet(queue, true);
                assertThat(response).isNotNull();
                assertThat(response.getBody()).isEqualTo(body);
                assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
            }
        }

        assertThat(dir).doesNotExist();
        assertThat(ProcessHandle.allProcesses()
                        .filter(p -> p.info()
                                .commandLine()
                                .map(c -> c.contains(dir.toString()))
                                .orElse(false)))
                .as("processes of the closed node")
                .isEmpty();

        try (Connection shared = SharedBroker.connect()) {
            assertThat(shared.isOpen()).isTrue();
        }
    }

    private static ConnectionFactory factory(PrivateRabbitNode node) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(node.amqpUrl());
        factory.setConnectionTimeout(3_000);
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }
}
