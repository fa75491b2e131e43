package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.testing.PrivateRabbitNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions survive a restart of the broker (a private node): the running instance delivers again once
 * reconnected, and an instance started afterwards loads the subscription from the stream on disk.
 */
class PushRestartIT {
    @Test
    void subscriptionsSurviveABrokerRestartAndDeliveriesResume() throws Exception {
        try (PrivateRabbitNode node = PrivateRabbitNode.start("push");
                Receiver receiver = new Receiver();
                PushFixture fixture = new PushFixture(node.amqpUrl())) {
            PushSubscriptions first = fixture.instance();
            String queue = fixture.queue("push-restart");
            SubscriptionView created = first.subscriptions()
                    .create(new SubscriptionRequest("survivor", queue, receiver.url("/in"), null, null, 2000, 2, null));
            List<String> ids = new ArrayList<>(fixture.publish(queue, 20, "before"));
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> receiver.ids("/in").size() == 20);

            node.restart();

            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        try {
                            ids.addAll(fixture.publish(queue, 20, "after"));
                            return true;
                        } catch (Exception e) {
                            return false;
                        }
                    });
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> receiver.ids("/in").containsAll(ids));
            assertThat(first.subscriptions().get("survivor").revision()).isEqualTo(created.revision());

            // A new instance reads it back from the stream, secret included (it signs with the same one).
            PushSubscriptions later = fixture.instance();
            assertThat(later.subscriptions().list())
                    .extracting(SubscriptionView::name)
                    .containsExactly("survivor");
            assertThat(receiver.requests("/in")).allMatch(r -> r.signedWith(created.secret()));
        }
    }
}
