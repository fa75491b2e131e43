package io.queueservice.deadletters;

/**
 * Listing dead-letter queues and looking into queues: what the HTTP API depends on; {@link DeadLetterCatalog} is
 * the implementation.
 */
public interface DeadLetterOperations {
    /**
     * The dead-letter queues the service knows, each with its depth.
     *
     * @throws io.queueservice.broker.BrokerException when the broker (or its management API) cannot be asked
     */
    DeadLetterListing deadLetterQueues();

    /**
     * The first messages of a queue, put back after (see {@link MessageBrowser}).
     *
     * @throws io.queueservice.broker.BrokerException as {@link MessageBrowser#peek} says
     */
    Peek peek(String queue, int limit);
}
