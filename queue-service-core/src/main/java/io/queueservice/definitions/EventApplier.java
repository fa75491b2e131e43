package io.queueservice.definitions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies events to the state, one at a time in the stream's order, on the log's thread: settles the write
 * of this instance that waits for the event, tells the listeners what changed, and counts the event for
 * compaction.
 */
final class EventApplier {
    private final DefinitionState state;
    private final PendingWrites pending;
    private final ChangeListeners listeners;
    private final Compaction compaction;

    EventApplier(DefinitionState state, PendingWrites pending, ChangeListeners listeners, Compaction compaction) {
        this.state = state;
        this.pending = pending;
        this.listeners = listeners;
        this.compaction = compaction;
    }

    /** @param size the event's size in the stream */
    void apply(long offset, String id, LogEvent event, int size) {
        boolean own = pending.isOwn(id);
        compaction.appended(size);
        switch (event) {
            case LogEvent.Put p -> settle(id, state.put(p, offset, LogWriter.size(p.value())));
            case LogEvent.Delete d -> settle(id, state.delete(d));
            case LogEvent.Snapshot s -> compaction.snapshotRead();
            case LogEvent.Sync s -> pending.complete(id, Optional.empty());
        }
        if (own && (event instanceof LogEvent.Put || event instanceof LogEvent.Delete)) {
            compaction.maybeSnapshot(offset);
        }
    }

    private void settle(String id, DefinitionState.Result result) {
        switch (result) {
            case DefinitionState.Applied a -> {
                listeners.announce(List.of(a.change()));
                pending.complete(id, a.change().after().or(() -> a.change().before()));
            }
            case DefinitionState.Refused r -> pending.fail(id, r.reason());
        }
    }

    /** Takes the snapshot's state in place of this instance's, and tells the listeners what that changed. */
    void takeState(LogEvent.Snapshot s) {
        Map<DefinitionState.Key, Integer> sizes = new HashMap<>();
        s.entries().forEach(d -> sizes.put(new DefinitionState.Key(d.kind(), d.name()), LogWriter.size(d.value())));
        listeners.announce(state.replaceAll(s.entries(), sizes));
        compaction.restartCount();
    }

    /** Drops every definition (the stream is gone), and tells the listeners. */
    void clear() {
        listeners.announce(state.replaceAll(List.of(), Map.of()));
    }
}
