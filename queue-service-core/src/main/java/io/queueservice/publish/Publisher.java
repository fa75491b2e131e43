package io.queueservice.publish;

import java.util.List;
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

    /**
     * Publishes a batch: every message is sent before any confirm is awaited, and messages to one queue keep
     * their order. Each message succeeds or fails alone.
     *
     * @return a future per message, in the same order, each as {@link #publish} returns it
     * @throws io.queueservice.broker.BrokerUnavailableException when the batch as a whole cannot be taken
     *     now; then nothing was sent
     */
    default List<CompletableFuture<Void>> publishAll(List<OutgoingMessage> messages) {
        return messages.stream().map(this::publish).toList();
    }

    /**
     * Holds back this publisher's network writes until the returned hold is closed, so that the messages
     * published meanwhile leave in one write instead of one each: for a caller that publishes many messages
     * in a burst (an event loop serving many requests in one turn). Close it soon: held messages are not
     * sent, so not confirmed, until then.
     */
    default WriteHold holdWrites() {
        return () -> {};
    }

    /** Ends a {@link #holdWrites()}: sends what was held. */
    interface WriteHold extends AutoCloseable {
        @Override
        void close();
    }
}
