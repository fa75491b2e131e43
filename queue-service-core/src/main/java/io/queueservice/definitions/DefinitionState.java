package io.queueservice.definitions;

import io.queueservice.broker.BrokerException;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The current definitions: changed by the log's thread alone, read by anyone, each read consistent (it
 * never sees half of an event).
 */
final class DefinitionState {
    record Key(String kind, String name) {}

    /** What applying a write did: the change, or why it was refused (the same on every instance). */
    sealed interface Result permits Applied, Refused {}

    record Applied(DefinitionChange change) implements Result {}

    record Refused(BrokerException reason) implements Result {}

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Key, Definition> entries = new HashMap<>();
    private final Map<Key, Integer> sizes = new HashMap<>();
    private long bytes;

    Result put(LogEvent.Put put, long offset, int size) {
        Key key = new Key(put.kind(), put.name());
        lock.writeLock().lock();
        try {
            Definition before = entries.get(key);
            BrokerException refused = check(put.kind(), put.name(), before, put.expect(), false);
            if (refused != null) {
                return new Refused(refused);
            }
            Definition after = new Definition(put.kind(), put.name(), put.value(), offset, put.at());
            entries.put(key, after);
            Integer old = sizes.put(key, size);
            bytes += size - (old == null ? 0 : old);
            return new Applied(
                    new DefinitionChange(put.kind(), put.name(), Optional.ofNullable(before), Optional.of(after)));
        } finally {
            lock.writeLock().unlock();
        }
    }

    Result delete(LogEvent.Delete delete) {
        Key key = new Key(delete.kind(), delete.name());
        lock.writeLock().lock();
        try {
            Definition before = entries.get(key);
            BrokerException refused = check(delete.kind(), delete.name(), before, delete.expect(), true);
            if (refused != null) {
                return new Refused(refused);
            }
            entries.remove(key);
            Integer old = sizes.remove(key);
            bytes -= old == null ? 0 : old;
            return new Applied(
                    new DefinitionChange(delete.kind(), delete.name(), Optional.of(before), Optional.empty()));
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static BrokerException check(
            String kind, String name, Definition before, Precondition expect, boolean deleting) {
        return switch (expect) {
            case Precondition.Any a -> deleting && before == null ? new ResourceNotFoundException(kind, name) : null;
            case Precondition.Absent a ->
                before == null ? null : new ResourceConflictException(kind + " '" + name + "' already exists", null);
            case Precondition.AtRevision r -> {
                if (before == null) {
                    yield new ResourceNotFoundException(kind, name);
                }
                yield before.revision() == r.revision()
                        ? null
                        : new ResourceConflictException(
                                kind + " '" + name + "' was changed by another request meanwhile (revision "
                                        + before.revision() + ", not " + r.revision() + "); read it again",
                                null);
            }
        };
    }

    /**
     * Replaces everything with a snapshot's entries.
     *
     * @return the differences, as changes, so listeners can catch up
     */
    List<DefinitionChange> replaceAll(List<Definition> snapshot, Map<Key, Integer> snapshotSizes) {
        lock.writeLock().lock();
        try {
            Map<Key, Definition> next = new LinkedHashMap<>();
            snapshot.forEach(d -> next.put(new Key(d.kind(), d.name()), d));
            List<DefinitionChange> changes = new ArrayList<>();
            for (Map.Entry<Key, Definition> e : entries.entrySet()) {
                Definition after = next.get(e.getKey());
                if (after == null) {
                    changes.add(change(e.getValue(), null));
                }
            }
            for (Map.Entry<Key, Definition> e : next.entrySet()) {
                Definition before = entries.get(e.getKey());
                if (before == null || !Objects.equals(before, e.getValue())) {
                    changes.add(change(before, e.getValue()));
                }
            }
            entries.clear();
            entries.putAll(next);
            sizes.clear();
            sizes.putAll(snapshotSizes);
            bytes = sizes.values().stream().mapToLong(Integer::longValue).sum();
            return changes;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static DefinitionChange change(Definition before, Definition after) {
        Definition any = before != null ? before : after;
        return new DefinitionChange(any.kind(), any.name(), Optional.ofNullable(before), Optional.ofNullable(after));
    }

    /** The definitions of one kind, by name, as they stand now. */
    Map<String, Definition> ofKind(String kind) {
        lock.readLock().lock();
        try {
            Map<String, Definition> out = new LinkedHashMap<>();
            entries.values().stream()
                    .filter(d -> d.kind().equals(kind))
                    .sorted(Comparator.comparing(Definition::name))
                    .forEach(d -> out.put(d.name(), d));
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    Optional<Definition> get(String kind, String name) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(entries.get(new Key(kind, name)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Every definition, for a snapshot. */
    List<Definition> all() {
        lock.readLock().lock();
        try {
            return List.copyOf(entries.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What all definitions weigh together, as written. */
    long bytes() {
        lock.readLock().lock();
        try {
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What the current definition of this kind and name weighs (0 when there is none). */
    int size(String kind, String name) {
        lock.readLock().lock();
        try {
            return sizes.getOrDefault(new Key(kind, name), 0);
        } finally {
            lock.readLock().unlock();
        }
    }
}
