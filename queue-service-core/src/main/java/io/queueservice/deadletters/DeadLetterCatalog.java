package io.queueservice.deadletters;

import io.queueservice.broker.BrokerException;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.deadletters.DeadLetterRouting.Served;
import io.queueservice.deadletters.DeadLetterRouting.Via;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.worker.RetrySchedule;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter queues the service knows: from the whole virtual host when a {@link BrokerDirectory} (the
 * management API) is there and answers, and always those this instance knows ({@link KnownTopology}). Each one's depth is
 * read from the broker when asked (a passive declaration); a queue that no longer exists is left out. At most
 * {@value #MAX_QUEUES} are listed.
 */
public final class DeadLetterCatalog implements DeadLetterOperations {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterCatalog.class);
    static final int MAX_QUEUES = 500;

    private final TopologyOperations topology;
    private final KnownTopology known;
    private final Optional<BrokerDirectory> directory;
    private final MessageBrowser browser;

    /**
     * @param topology reads each queue's depth
     * @param directory the whole virtual host, when the management API is configured
     */
    public DeadLetterCatalog(
            TopologyOperations topology,
            KnownTopology known,
            Optional<BrokerDirectory> directory,
            MessageBrowser browser) {
        this.topology = topology;
        this.known = known;
        this.directory = directory;
        this.browser = browser;
    }

    @Override
    public DeadLetterListing deadLetterQueues() {
        Map<String, Set<String>> serves = new TreeMap<>();
        Map<String, Set<Via>> via = new TreeMap<>();
        boolean complete = false;
        if (directory.isPresent()) {
            try {
                merge(DeadLetterRouting.of(directory.get().read(), true, known::isMachinery), serves, via);
                complete = true;
            } catch (BrokerException e) {
                // Say what this instance knows rather than nothing; "complete": false tells the caller.
                log.warn("listing dead-letter queues without the management API, which failed: {}", e.getMessage());
            }
        }
        merge(DeadLetterRouting.of(known.snapshot(), false, known::isMachinery), serves, via);
        known.registered().forEach((dlq, served) -> served.forEach(s -> add(serves, via, dlq, s, Via.SERVICE)));
        known.subscriptionQueues()
                .forEach(q -> add(serves, via, RetrySchedule.deadLetterQueue(q), q, Via.SUBSCRIPTION));
        List<DeadLetterQueue> out = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : serves.entrySet()) {
            if (out.size() >= MAX_QUEUES) {
                break;
            }
            Optional<QueueInfo> info = info(e.getKey());
            info.ifPresent(i -> out.add(new DeadLetterQueue(
                    e.getKey(), List.copyOf(e.getValue()), via.get(e.getKey()), i.messages(), i.consumers())));
        }
        return new DeadLetterListing(out, complete);
    }

    @Override
    public Peek peek(String queue, int limit) {
        return browser.peek(queue, limit);
    }

    private Optional<QueueInfo> info(String queue) {
        try {
            return Optional.of(topology.queueInfo(queue));
        } catch (ResourceNotFoundException | InvalidRequestException gone) {
            return Optional.empty();
        }
    }

    private static void merge(Map<String, Served> found, Map<String, Set<String>> serves, Map<String, Set<Via>> via) {
        found.values()
                .forEach(s ->
                        s.serves().forEach(q -> s.via().forEach(v -> add(serves, via, s.deadLetterQueue(), q, v))));
    }

    private static void add(
            Map<String, Set<String>> serves, Map<String, Set<Via>> via, String dlq, String served, Via how) {
        serves.computeIfAbsent(dlq, k -> new TreeSet<>()).add(served);
        via.computeIfAbsent(dlq, k -> EnumSet.noneOf(Via.class)).add(how);
    }
}
