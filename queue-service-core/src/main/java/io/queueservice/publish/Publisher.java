package io.queueservice.publish;

import java.util.concurrent.CompletableFuture;

/**
 * Publishes messages and says, through a future, whether the broker took responsibility for each. What
 * the HTTP API depends on; {@link ConfirmingPublisher} is the implementation.
 */
public interface Publisher {
    /**
     * Publishes a message.
     *
     * @return a future completed when the broker confirmed the message, or completed exceptionally with a
     *     {@link io.queueservice.broker.BrokerException} saying why it was not (see {@link
     *     ConfirmingPublisher#publish})
     */
    CompletableFuture<Void> publish(OutgoingMessage message);
}
