package io.queueservice.deadletters;

import io.queueservice.broker.BindingSpec;
import io.queueservice.broker.ExchangeSpec;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.deadletters.BrokerDirectory.BindingEntry;
import io.queueservice.deadletters.BrokerDirectory.ExchangeEntry;
import io.queueservice.deadletters.BrokerDirectory.QueueEntry;
import io.queueservice.deadletters.BrokerDirectory.Snapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What this instance of the service knows about dead-lettering without the management API: the queues,
 * exchanges and bindings declared through it since it started ({@link #recording}), the queues its workers consume
 * (whose dead-letter queue is {@code <queue>.dlq}), and dead-letter queues other parts of the service declared
 * ({@link #register}). Held in memory, at most {@value #LIMIT} entries of each kind.
 */
public final class KnownTopology {
    static final int LIMIT = 10_000;

    private final Map<String, QueueEntry> queues = new ConcurrentHashMap<>();
    private final Map<String, ExchangeEntry> exchanges = new ConcurrentHashMap<>();
    private final Set<BindingEntry> bindings = ConcurrentHashMap.newKeySet();
    private final Set<String> workerQueues = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> registered = new ConcurrentHashMap<>();
    private final Set<String> machineryPrefixes = ConcurrentHashMap.newKeySet();
    private volatile Supplier<Collection<String>> subscriptionQueues = List::of;

    /** A queue a worker of this process consumes: its dead-letter queue is {@code <queue>.dlq}. */
    public void consumed(String queue) {
        if (workerQueues.size() < LIMIT) {
            workerQueues.add(queue);
        }
    }

    /** A dead-letter queue another part of the service declared, and the queue it serves. */
    public void register(String deadLetterQueue, String serves) {
        if (registered.size() < LIMIT) {
            registered
                    .computeIfAbsent(deadLetterQueue, k -> ConcurrentHashMap.newKeySet())
                    .add(serves);
        }
    }

    /**
     * Queues whose names start with {@code prefix + "."} belong to the service's own machinery (the delay levels),
     * which dead-letters by design: they are not sources of dead letters. Register their dead-letter queue with
     * {@link #register}.
     */
    public void machinery(String prefix) {
        machineryPrefixes.add(prefix + ".");
    }

    /** Whether the queue belongs to the service's own machinery (see {@link #machinery}). */
    boolean isMachinery(String queue) {
        return machineryPrefixes.stream().anyMatch(queue::startsWith);
    }

    /**
     * Where to find, when asked, the queues push subscriptions consume: each one's dead-letter queue is
     * {@code <queue>.dlq}, as for any worker of the toolkit. A source that fails is skipped.
     */
    public void subscriptions(Supplier<Collection<String>> queues) {
        subscriptionQueues = queues;
    }

    /** The queues push subscriptions consume now; empty when they cannot be read. */
    Collection<String> subscriptionQueues() {
        try {
            return subscriptionQueues.get();
        } catch (RuntimeException unavailable) {
            return List.of();
        }
    }

    /** The queues registered with {@link #register}, each with those it serves. */
    Map<String, Set<String>> registered() {
        return registered;
    }

    /** The queues workers of this process consume. */
    Set<String> workerQueues() {
        return workerQueues;
    }

    /** The declarations seen so far, as a (partial) snapshot of the virtual host. */
    Snapshot snapshot() {
        List<QueueEntry> q = new ArrayList<>(queues.values());
        for (String w : workerQueues) {
            q.add(new QueueEntry(w, Optional.empty(), Optional.empty()));
            q.add(new QueueEntry(w + ".dlq", Optional.empty(), Optional.empty()));
        }
        return new Snapshot(q, List.copyOf(exchanges.values()), List.copyOf(bindings));
    }

    /** {@code topology}, telling this registry what it declares, binds and deletes once the broker agreed. */
    public TopologyOperations recording(TopologyOperations topology) {
        return new Recording(topology);
    }

    private void declared(QueueSpec spec) {
        Map<String, Object> args = spec.amqpArguments();
        Optional<String> dlx =
                Optional.ofNullable(args.get("x-dead-letter-exchange")).map(Object::toString);
        Optional<String> dlrk =
                Optional.ofNullable(args.get("x-dead-letter-routing-key")).map(Object::toString);
        if (queues.size() < LIMIT || queues.containsKey(spec.name())) {
            queues.put(spec.name(), new QueueEntry(spec.name(), dlx, dlrk));
        }
    }

    private void declared(ExchangeSpec spec) {
        if (exchanges.size() < LIMIT || exchanges.containsKey(spec.name())) {
            exchanges.put(
                    spec.name(), new ExchangeEntry(spec.name(), spec.type().amqpName()));
        }
    }

    private final class Recording implements TopologyOperations {
        private final TopologyOperations topology;

        Recording(TopologyOperations topology) {
            this.topology = topology;
        }

        @Override
        public Optional<QueueType> defaultQueueType() {
            return topology.defaultQueueType();
        }

        @Override
        public boolean declareExchange(ExchangeSpec spec) {
            boolean created = topology.declareExchange(spec);
            declared(spec);
            return created;
        }

        @Override
        public void deleteExchange(String name, boolean ifUnused) {
            topology.deleteExchange(name, ifUnused);
            exchanges.remove(name);
            bindings.removeIf(b -> b.source().equals(name));
        }

        @Override
        public boolean declareQueue(QueueSpec spec) {
            boolean created = topology.declareQueue(spec);
            declared(spec);
            return created;
        }

        @Override
        public QueueInfo queueInfo(String name) {
            return topology.queueInfo(name);
        }

        @Override
        public long deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
            long deleted = topology.deleteQueue(name, ifUnused, ifEmpty);
            queues.remove(name);
            bindings.removeIf(b -> !b.toExchange() && b.destination().equals(name));
            return deleted;
        }

        @Override
        public long purgeQueue(String name) {
            return topology.purgeQueue(name);
        }

        @Override
        public void bind(BindingSpec spec) {
            topology.bind(spec);
            if (bindings.size() < LIMIT) {
                bindings.add(new BindingEntry(spec.exchange(), spec.queue(), false, spec.routingKey()));
            }
        }

        @Override
        public void unbind(BindingSpec spec) {
            topology.unbind(spec);
            bindings.remove(new BindingEntry(spec.exchange(), spec.queue(), false, spec.routingKey()));
        }
    }
}
