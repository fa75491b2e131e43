package io.queueservice.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.queueservice.broker.QueueType;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.testing.PrivateRabbitNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Delayed messages survive a broker restart while they wait, in quorum and in classic delay queues: on a
 * private node (the shared broker is never restarted).
 */
class DelayRestartIT {
    @Test
    void aBrokerRestartWhileMessagesWaitLosesNoneAndDeliversNoneEarly() throws Exception {
        try (PrivateRabbitNode node = PrivateRabbitNode.start("delay-restart")) {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(node.amqpUrl());
            f.setAutomaticRecoveryEnabled(true); // the test's own consumer comes back by itself
            f.setNetworkRecoveryInterval(500);
            Map<String, Instant> arrivals = new ConcurrentHashMap<>();
            try (Connection probe = f.newConnection("delay-restart-probe")) {
                Channel ch = probe.createChannel();
                ch.queueDeclare("target", true, false, false, Map.of());
                ch.basicConsume(
                        "target",
                        true,
                        (tag, d) -> arrivals.putIfAbsent(d.getProperties().getMessageId(), Instant.now()),
                        tag -> {});

                List<ScheduledMessage> scheduled = new ArrayList<>();
                Random random = new Random();
                List<DelayRig> rigs = new ArrayList<>();
                try {
                    for (QueueType type : List.of(QueueType.QUORUM, QueueType.CLASSIC)) {
                        DelayConfig config =
                                new DelayConfig(DelayLevels.MAX_DELAY, type, "qs.delay." + type.amqpName());
                        DelayRig rig = new DelayRig(node.amqpUrl(), config, "restart-" + type.amqpName());
                        rigs.add(rig.ready());
                        for (int i = 0; i < 150; i++) {
                            OutgoingMessage m = DelayRig.message("", "target", "{\"i\":" + i + "}", true);
                            scheduled.add(rig.delays
                                    .publish(m, Duration.ofMillis(2_000 + random.nextLong(16_000)))
                                    .join());
                        }
                    }
                    // Some come due before the restart, some while the node is down, most after; the
                    // dispatchers reconnect by themselves.
                    await().atMost(Duration.ofSeconds(10)).until(() -> !arrivals.isEmpty());
                    Instant restarting = Instant.now();
                    node.restart();
                    System.out.printf(
                            "DELAY | broker restarted in %d ms while %d delayed messages waited%n",
                            Duration.between(restarting, Instant.now()).toMillis(), scheduled.size() - arrivals.size());

                    await().atMost(Duration.ofSeconds(60))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> scheduled.stream().allMatch(s -> arrivals.containsKey(s.messageId())));
                } finally {
                    rigs.forEach(DelayRig::close);
                }
                for (ScheduledMessage s : scheduled) {
                    assertThat(arrivals.get(s.messageId()))
                            .as("arrival of %s", s.messageId())
                            .isAfterOrEqualTo(s.deliverAt());
                }
                assertThat(arrivals).hasSize(scheduled.size());
            }
        }
    }
}
