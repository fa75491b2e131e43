package io.queueservice.deadletters;

import io.queueservice.deadletters.BrokerDirectory.BindingEntry;
import io.queueservice.deadletters.BrokerDirectory.QueueEntry;
import io.queueservice.deadletters.BrokerDirectory.Snapshot;
import io.queueservice.worker.RetrySchedule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Works out which queues receive the dead letters of which, from a {@link Snapshot}:
 *
 * <ul>
 *   <li>the worker toolkit's {@code <queue>.dlq} serves {@code <queue>} when both exist;
 *   <li>a queue with a dead-letter exchange sends its dead letters to the queues that exchange routes them to:
 *       with a dead-letter routing key, the bindings that key matches (the default exchange: the queue of that
 *       name); without one, dead letters keep their own routing keys, which cannot be known in advance, so every
 *       queue bound to the exchange counts. Exchange-to-exchange bindings are followed.
 * </ul>
 *
 * <p>Queues that dead-letter by design are left out as sources: the toolkit's retry queues ({@code
 * <queue>.retry.<ms>}), whose expired messages go back to their work queue. A queue never counts as its own
 * dead-letter queue.
 */
public final class DeadLetterRouting {
    private static final Pattern RETRY_QUEUE = Pattern.compile(".+\\.retry\\.\\d+");
    private static final int MAX_EXCHANGE_HOPS = 5;

    private DeadLetterRouting() {}

    /** How a queue came to be known as a dead-letter queue. */
    public enum Via {
        /** The worker toolkit's naming, {@code <queue>.dlq}. */
        WORKER,
        /** A queue's dead-letter exchange (and routing key) routes into it. */
        DEAD_LETTER_EXCHANGE,
        /** The dead-letter queue of a push subscription's queue, {@code <queue>.dlq}. */
        SUBSCRIPTION,
        /** Registered by a part of the service that declared it (delayed delivery). */
        SERVICE
    }

    /** A dead-letter queue, the queues it serves, and how each was found. */
    public record Served(String deadLetterQueue, Set<String> serves, Set<Via> via) {}

    /**
     * Every dead-letter queue the snapshot shows, by name.
     *
     * @param complete whether the snapshot lists every queue of the virtual host (the management API's): then a
     *     target that is not listed does not exist and is left out; otherwise it is kept, for the caller to check
     */
    public static Map<String, Served> of(Snapshot snapshot, boolean complete) {
        return of(snapshot, complete, name -> false);
    }

    /**
     * As {@link #of(Snapshot, boolean)}, leaving out the queues of the service's own machinery ({@code machinery}
     * says which), whose dead-lettering is how they work (the delay levels), not failure.
     */
    public static Map<String, Served> of(Snapshot snapshot, boolean complete, Predicate<String> machinery) {
        Map<String, Set<String>> serves = new TreeMap<>();
        Map<String, Set<Via>> via = new HashMap<>();
        Set<String> queueNames = new HashSet<>();
        snapshot.queues().forEach(q -> queueNames.add(q.name()));
        for (String name : queueNames) {
            String dlq = RetrySchedule.deadLetterQueue(name);
            if (queueNames.contains(dlq)) {
                add(serves, via, dlq, name, Via.WORKER);
            }
        }
        Map<String, String> types = new HashMap<>();
        snapshot.exchanges().forEach(e -> types.put(e.name(), e.type()));
        Map<String, List<BindingEntry>> bySource = new HashMap<>();
        snapshot.bindings()
                .forEach(b -> bySource.computeIfAbsent(b.source(), s -> new ArrayList<>())
                        .add(b));
        for (QueueEntry q : snapshot.queues()) {
            if (q.deadLetterExchange().isEmpty()
                    || RETRY_QUEUE.matcher(q.name()).matches()
                    || machinery.test(q.name())) {
                continue;
            }
            Set<String> targets = new LinkedHashSet<>();
            route(q.deadLetterExchange().get(), q.deadLetterRoutingKey().orElse(null), types, bySource, targets, 0);
            for (String target : targets) {
                if (!target.equals(q.name()) && !machinery.test(target) && (!complete || queueNames.contains(target))) {
                    add(serves, via, target, q.name(), Via.DEAD_LETTER_EXCHANGE);
                }
            }
        }
        Map<String, Served> out = new TreeMap<>();
        serves.forEach((dlq, s) -> out.put(dlq, new Served(dlq, Set.copyOf(s), Set.copyOf(via.get(dlq)))));
        return out;
    }

    private static void add(
            Map<String, Set<String>> serves, Map<String, Set<Via>> via, String dlq, String served, Via how) {
        serves.computeIfAbsent(dlq, k -> new java.util.TreeSet<>()).add(served);
        via.computeIfAbsent(dlq, k -> new HashSet<>()).add(how);
    }

    /**
     * Adds to {@code out} the queues exchange {@code exchange} routes a message with {@code routingKey} to (null:
     * any key).
     */
    private static void route(
            String exchange,
            String routingKey,
            Map<String, String> types,
            Map<String, List<BindingEntry>> bySource,
            Set<String> out,
            int hops) {
        if (exchange.isEmpty()) {
            if (routingKey != null) {
                out.add(routingKey); // the default exchange: the queue named by the key
            }
            return;
        }
        if (hops > MAX_EXCHANGE_HOPS) {
            return;
        }
        String type = types.getOrDefault(exchange, "direct");
        for (BindingEntry b : bySource.getOrDefault(exchange, List.of())) {
            if (routingKey == null || matches(type, b.routingKey(), routingKey)) {
                if (b.toExchange()) {
                    route(b.destination(), routingKey, types, bySource, out, hops + 1);
                } else {
                    out.add(b.destination());
                }
            }
        }
    }

    /** Whether a binding with {@code bindingKey} on an exchange of {@code type} matches {@code routingKey}. */
    static boolean matches(String type, String bindingKey, String routingKey) {
        return switch (type) {
            case "direct" -> bindingKey.equals(routingKey);
            case "topic" -> topicMatches(bindingKey.split("\\.", -1), 0, routingKey.split("\\.", -1), 0);
            // fanout ignores keys; headers and plugin types route on what cannot be known here: count them.
            default -> true;
        };
    }

    /** AMQP topic matching: {@code *} is exactly one word, {@code #} zero or more. */
    private static boolean topicMatches(String[] pattern, int p, String[] words, int w) {
        if (p == pattern.length) {
            return w == words.length;
        }
        if (pattern[p].equals("#")) {
            for (int skip = w; skip <= words.length; skip++) {
                if (topicMatches(pattern, p + 1, words, skip)) {
                    return true;
                }
            }
            return false;
        }
        if (w == words.length) {
            return false;
        }
        return (pattern[p].equals("*") || pattern[p].equals(words[w])) && topicMatches(pattern, p + 1, words, w + 1);
    }
}
