package io.queueservice.definitions;

import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the stream's events in order, on the log's thread, and hands them to the {@link EventApplier}. It
 * knows where reading stands (the offset to resume from after a lost connection), when the log is loaded
 * (a sync event it wrote at start came back), and how to catch up when retention cut the stream before
 * that offset: it keeps what it reads aside until a snapshot covers the offset before the first event it
 * read, takes the snapshot's state, and applies what it kept after the covered offset.
 */
final class LogReader {
    // Logged under the log's name, as before the log was split into parts: operators filter on it.
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);

    private final DefinitionsLogSettings settings;
    private final LogThread thread;
    private final DefinitionState state;
    private final PendingWrites pending;
    private final LogWriter writer;
    private final EventApplier applier;
    private final ChangeListeners listeners;
    private final CompletableFuture<Void> ready;

    // The log's thread only.
    private long nextOffset; // the offset of the next event expected
    private Rebuild rebuild; // non-null while rebuilding from a snapshot
    private boolean firstAfterSubscribe;
    private String startupSync; // the id of the sync event whose return marks the log as loaded

    /** Events kept aside while rebuilding, until a snapshot that covers what precedes them. */
    private record Rebuild(long firstOffset, List<Kept> kept) {}

    private record Kept(long offset, String id, LogEvent event, int size) {}

    /** @param ready completed once the log is loaded */
    LogReader(
            DefinitionsLogSettings settings,
            LogThread thread,
            DefinitionState state,
            PendingWrites pending,
            LogWriter writer,
            EventApplier applier,
            ChangeListeners listeners,
            CompletableFuture<Void> ready) {
        this.settings = settings;
        this.thread = thread;
        this.state = state;
        this.pending = pending;
        this.writer = writer;
        this.applier = applier;
        this.listeners = listeners;
        this.ready = ready;
    }

    /** A new consumer is about to start: where it starts ({@code x-stream-offset}). */
    Object resumeFrom() {
        firstAfterSubscribe = true;
        return nextOffset == 0 ? "first" : (Object) nextOffset;
    }

    /** A consumer follows the stream: until the log is loaded, write the sync event that marks the end. */
    void followed() {
        if (!ready.isDone() && startupSync == null) {
            markStartup();
        }
    }

    /** The stream was deleted: so were the definitions. Start again from an empty state. */
    void startAgainEmpty() {
        nextOffset = 0;
        rebuild = null;
        applier.clear();
    }

    /**
     * One event as delivered.
     *
     * @param streamStart the offset of the first event the stream still holds (asked only when needed)
     */
    void onEvent(long offset, String id, byte[] body, LongSupplier streamStart) {
        if (offset < nextOffset) {
            return; // delivery starts at the beginning of a chunk: already read
        }
        if (firstAfterSubscribe) {
            firstAfterSubscribe = false;
            // Offsets have holes (a new segment takes one), so a later offset than asked for does not alone
            // mean that retention removed events: it did when the stream now starts after the one asked for.
            if (offset > nextOffset && rebuild == null && (nextOffset == 0 || streamStart.getAsLong() > nextOffset)) {
                if (nextOffset > 0) {
                    log.warn(
                            "definitions stream '{}' now starts after offset {}: rebuilding from a snapshot",
                            settings.stream(),
                            nextOffset);
                }
                rebuild = new Rebuild(offset, new ArrayList<>());
                if (ready.isDone()) {
                    markRebuildEnd();
                }
            }
        }
        nextOffset = offset + 1;
        LogEvent event;
        try {
            event = LogEvent.decode(body);
        } catch (IllegalArgumentException e) {
            log.warn("definitions stream '{}': skipped offset {}: {}", settings.stream(), offset, e.getMessage());
            return;
        }
        if (rebuild != null) {
            keep(offset, id, event, body.length);
            return;
        }
        applier.apply(offset, id, event, body.length);
    }

    /** While rebuilding after the log was loaded, a sync event bounds the wait for a snapshot. */
    private void markRebuildEnd() {
        String id = UUID.randomUUID().toString();
        CompletableFuture<Optional<Definition>> back = pending.register(id);
        back.thenRun(() -> thread.execute(() -> {
            if (rebuild != null) {
                giveUpRebuild();
            }
        }));
        writer.publish(id, new LogEvent.Sync()).whenComplete((ok, e) -> {
            if (e != null) {
                pending.forget(id);
            }
        });
    }

    private void keep(long offset, String id, LogEvent event, int size) {
        if (event instanceof LogEvent.Snapshot s && s.covers() >= rebuild.firstOffset() - 1) {
            List<Kept> covered = rebuild.kept().stream()
                    .filter(k -> k.offset() <= s.covers())
                    .toList();
            List<Kept> after =
                    rebuild.kept().stream().filter(k -> k.offset() > s.covers()).toList();
            rebuild = null;
            log.info(
                    "definitions stream '{}': rebuilt from the snapshot at offset {} (covering up to {})",
                    settings.stream(),
                    offset,
                    s.covers());
            applier.takeState(s);
            covered.forEach(this::settleCovered);
            for (Kept k : after) {
                applier.apply(k.offset(), k.id(), k.event(), k.size());
            }
            applier.apply(offset, id, event, size);
            return;
        }
        rebuild.kept().add(new Kept(offset, id, event, size));
        if (event instanceof LogEvent.Sync) {
            // One of ours marks the end of what was written when the rebuild began: whoever waits gives up.
            pending.complete(id, Optional.empty());
        }
    }

    /** A write of this instance that a snapshot covers: whether it was applied shows in the snapshot's state. */
    private void settleCovered(Kept k) {
        Optional<Definition> now = switch (k.event()) {
            case LogEvent.Put p -> state.get(p.kind(), p.name()).filter(d -> d.revision() == k.offset());
            case LogEvent.Delete d -> Optional.empty();
            default -> Optional.empty();
        };
        if (k.event() instanceof LogEvent.Put && now.isEmpty()) {
            pending.fail(
                    k.id(),
                    new BrokerTimeoutException(
                            "the definitions were rebuilt from a snapshot meanwhile; read them again to see whether the"
                                    + " change holds"));
        } else if (k.event() instanceof LogEvent.Delete d) {
            pending.fail(
                    k.id(),
                    new BrokerTimeoutException(
                            "the definitions were rebuilt from a snapshot meanwhile; read them again to see whether '"
                                    + d.name() + "' is gone"));
        } else {
            pending.complete(k.id(), now);
        }
    }

    /** No snapshot covers where the stream now starts: go on with what was read, and say what may be lost. */
    private void giveUpRebuild() {
        Rebuild r = rebuild;
        rebuild = null;
        log.error(
                "definitions stream '{}' starts at offset {} and no snapshot covers what came before: definitions"
                        + " changed before that offset may be missing or stale",
                settings.stream(),
                r.firstOffset());
        for (Kept k : r.kept()) {
            applier.apply(k.offset(), k.id(), k.event(), k.size());
        }
    }

    /** Writes a sync event: once it comes back, everything written before the start has been read. */
    private void markStartup() {
        String id = UUID.randomUUID().toString();
        startupSync = id;
        CompletableFuture<Optional<Definition>> back = pending.register(id);
        back.thenRun(() -> thread.execute(this::becomeReady));
        try {
            writer.publish(id, new LogEvent.Sync()).whenComplete((ok, e) -> {
                if (e != null) {
                    pending.forget(id);
                    thread.execute(() -> {
                        startupSync = null;
                        log.warn(
                                "cannot write to definitions stream '{}' yet: {}",
                                settings.stream(),
                                LogWriter.unwrap(e).toString());
                        thread.schedule(
                                () -> {
                                    if (!ready.isDone() && startupSync == null) {
                                        markStartup();
                                    }
                                },
                                StreamFollower.RESUBSCRIBE_DELAY);
                    });
                }
            });
        } catch (BrokerException e) {
            pending.forget(id);
            startupSync = null;
        }
    }

    private void becomeReady() {
        if (ready.isDone()) {
            return;
        }
        if (rebuild != null) {
            giveUpRebuild();
        }
        ready.complete(null);
        log.info(
                "definitions loaded from stream '{}' (up to offset {}): {} definition(s)",
                settings.stream(),
                nextOffset - 1,
                state.all().size());
        listeners.announceAll();
    }
}
