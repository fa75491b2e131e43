package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.server.api.OpenApiDocument;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real push deliveries against the OpenAPI document's {@code pushDelivery} webhook: what an endpoint receives
 * (on a first attempt and on a retry) carries every header the document says it does, each as described.
 * Deliveries need the broker, so this is an integration test; the API's answers are checked without one by
 * {@code OpenApiContractTest}.
 */
class PushWebhookContractIT {
    private PushFixture fixture;
    private Receiver receiver;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new PushFixture();
        receiver = new Receiver();
    }

    @AfterEach
    void tearDown() throws Exception {
        receiver.close();
        fixture.close();
    }

    @Test
    void whatAnEndpointReceivesIsWhatTheDocumentDescribes() throws Exception {
        OpenApiDocument doc = OpenApiDocument.load();
        PushSubscriptions push = fixture.instance();
        String queue = fixture.queue("push-contract");
        String secret = push.subscriptions()
                .create(new SubscriptionRequest("contract", queue, receiver.url("/in"), null, null, 2000, 1, null))
                .secret();
        AtomicInteger calls = new AtomicInteger();
        receiver.behave(r -> calls.incrementAndGet() == 1 ? Receiver.Answer.of(500) : Receiver.Answer.of(204));

        fixture.publish(queue, 1, "contract");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> receiver.requests("/in").size() == 2);
        for (Receiver.Request r : receiver.requests("/in")) {
            assertThat(doc.checkWebhook("pushDelivery", r.headers()))
                    .as("attempt %s: %s", r.header("qs-attempt"), r.headers())
                    .isEmpty();
            assertThat(r.signedWith(secret)).isTrue();
        }
        assertThat(receiver.requests("/in"))
                .extracting(Receiver.Request::attempt)
                .containsExactly(1, 2);
    }
}
