package io.queueservice.broker;

import io.queueservice.validation.InvalidRequestException;
import java.util.Optional;

/**
 * Declaring, inspecting and deleting exchanges, queues and bindings. What the HTTP API depends on; {@link
 * Topology} is the implementation. Every method may throw a {@link BrokerException}: {@link
 * InvalidRequestException}, {@link ResourceNotFoundException}, {@link ResourceConflictException}, {@link
 * OperationRefusedException}, {@link BrokerUnavailableException} or {@link BrokerTimeoutException}.
 */
public interface TopologyOperations {
    /** The queue type used when a declaration names none; empty for the broker's default. */
    Optional<QueueType> defaultQueueType();

    /** @return true when created, false when it already existed with the same settings */
    boolean declareExchange(ExchangeSpec spec);

    void deleteExchange(String name, boolean ifUnused);

    /** @return true when created, false when it already existed with the same settings */
    boolean declareQueue(QueueSpec spec);

    QueueInfo queueInfo(String name);

    /** @return the number of messages deleted with the queue */
    long deleteQueue(String name, boolean ifUnused, boolean ifEmpty);

    /** @return the number of messages purged */
    long purgeQueue(String name);

    void bind(BindingSpec spec);

    void unbind(BindingSpec spec);
}
