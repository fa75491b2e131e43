package io.queueservice.testing;

import io.queueservice.broker.BindingSpec;
import io.queueservice.broker.ExchangeSpec;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.TopologyOperations;
import java.util.Map;
import java.util.Optional;

/**
 * A broker's topology for tests that need none: every declaration, deletion and binding is accepted, and the
 * queues that exist are those given, with their depth (any other is not found). Override a method to make it
 * answer otherwise.
 */
public class FakeTopology implements TopologyOperations {
    private final Map<String, Long> depths;

    /** No queue exists. */
    public FakeTopology() {
        this(Map.of());
    }

    /** The queues of {@code depths} exist, with their depth there (read at each call). */
    public FakeTopology(Map<String, Long> depths) {
        this.depths = depths;
    }

    @Override
    public Optional<QueueType> defaultQueueType() {
        return Optional.empty();
    }

    @Override
    public boolean declareExchange(ExchangeSpec spec) {
        return true;
    }

    @Override
    public void deleteExchange(String name, boolean ifUnused) {}

    @Override
    public boolean declareQueue(QueueSpec spec) {
        return true;
    }

    @Override
    public QueueInfo queueInfo(String name) {
        Long depth = depths.get(name);
        if (depth == null) {
            throw new ResourceNotFoundException("queue", name);
        }
        return new QueueInfo(name, depth, 0);
    }

    @Override
    public long deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
        return 0;
    }

    @Override
    public long purgeQueue(String name) {
        return 0;
    }

    @Override
    public void bind(BindingSpec spec) {}

    @Override
    public void unbind(BindingSpec spec) {}
}
