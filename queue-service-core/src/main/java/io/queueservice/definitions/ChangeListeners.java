package io.queueservice.definitions;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of each kind, told about changes on the log's thread, in the log's order. Until the log is
 * loaded they are told nothing; then they get the whole state at once, each definition as a creation.
 */
final class ChangeListeners {
    // Logged under the log's name, as before the log was split into parts: operators filter on it.
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);

    private final Map<String, List<DefinitionListener>> listeners = new ConcurrentHashMap<>();
    private final DefinitionState state;
    private final CompletableFuture<Void> ready;

    ChangeListeners(DefinitionState state, CompletableFuture<Void> ready) {
        this.state = state;
        this.ready = ready;
    }

    /** On the log's thread: adds the listener and, when the log is loaded, tells it what there is now. */
    void add(String kind, DefinitionListener listener) {
        listeners.computeIfAbsent(kind, k -> new CopyOnWriteArrayList<>()).add(listener);
        if (ready.isDone() && !ready.isCompletedExceptionally()) {
            state.ofKind(kind).values().forEach(d -> call(listener, created(kind, d)));
        }
    }

    void remove(String kind, DefinitionListener listener) {
        List<DefinitionListener> l = listeners.get(kind);
        if (l != null) {
            l.remove(listener);
        }
    }

    /** On the log's thread. */
    void announce(List<DefinitionChange> changes) {
        if (!ready.isDone()) {
            return; // listeners get the whole state once loaded
        }
        for (DefinitionChange c : changes) {
            for (DefinitionListener l : listeners.getOrDefault(c.kind(), List.of())) {
                call(l, c);
            }
        }
    }

    /** On the log's thread, once loaded: tells every listener what there is of its kind. */
    void announceAll() {
        listeners.forEach((kind, ls) ->
                state.ofKind(kind).values().forEach(d -> ls.forEach(l -> call(l, created(kind, d)))));
    }

    private static DefinitionChange created(String kind, Definition d) {
        return new DefinitionChange(kind, d.name(), Optional.empty(), Optional.of(d));
    }

    private void call(DefinitionListener listener, DefinitionChange change) {
        try {
            listener.changed(change);
        } catch (RuntimeException e) {
            log.error("a listener of definitions of kind '{}' failed on '{}'", change.kind(), change.name(), e);
        }
    }
}
