package io.queueservice.definitions;

import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compaction rule of {@link DefinitionsLogSettings}: counts what was appended since the latest snapshot
 * and, after one of this instance's own writes, writes a snapshot of the whole state when that is too much.
 * Used on the log's thread only.
 */
final class Compaction {
    // Logged under the log's name, as before the log was split into parts: operators filter on it.
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);

    private final DefinitionsLogSettings settings;
    private final DefinitionState state;
    private final LogWriter writer;
    private final LogThread thread;

    private long bytesSinceSnapshot;
    private int eventsSinceSnapshot;
    private boolean snapshotPending;

    Compaction(DefinitionsLogSettings settings, DefinitionState state, LogWriter writer, LogThread thread) {
        this.settings = settings;
        this.state = state;
        this.writer = writer;
        this.thread = thread;
    }

    /** An event of {@code size} bytes was read. */
    void appended(int size) {
        bytesSinceSnapshot += size;
        eventsSinceSnapshot++;
    }

    /** A snapshot was read: whoever wrote it, there is no need for another one now. */
    void snapshotRead() {
        bytesSinceSnapshot = 0;
        eventsSinceSnapshot = 0;
        snapshotPending = false;
    }

    /** The state was taken from a snapshot while rebuilding: count from there. */
    void restartCount() {
        bytesSinceSnapshot = 0;
        eventsSinceSnapshot = 0;
    }

    /** After one of this instance's own writes, applied at {@code offset}. */
    void maybeSnapshot(long offset) {
        if (snapshotPending
                || (bytesSinceSnapshot <= settings.snapshotAfterBytes()
                        && eventsSinceSnapshot <= settings.snapshotAfterEvents())) {
            return;
        }
        snapshotPending = true;
        LogEvent.Snapshot snapshot = new LogEvent.Snapshot(offset, Instant.now(), state.all());
        writer.publish(UUID.randomUUID().toString(), snapshot).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn(
                        "definitions stream '{}': snapshot not written: {}",
                        settings.stream(),
                        LogWriter.unwrap(e).toString());
                thread.execute(() -> snapshotPending = false);
            }
        });
    }
}
