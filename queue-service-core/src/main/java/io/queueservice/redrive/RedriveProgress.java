package io.queueservice.redrive;

import io.queueservice.metrics.RedriveMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one redrive has done so far, and how it ended: written by the redrive's thread, read by status requests
 * from any thread.
 */
final class RedriveProgress {
    // The redrive's logger: one name for everything a redrive logs, whichever class does the work.
    private static final Logger log = LoggerFactory.getLogger(RedriveTask.class);

    private final String id;
    private final String queue;
    private final RedriveRequest request;
    private final RedriveMetrics metrics;
    private final Clock clock;

    private final AtomicLong moved = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Instant startedAt;
    private volatile long toMove;
    private volatile RedriveState state = RedriveState.RUNNING;
    private volatile Instant finishedAt;
    private volatile String reason;
    /** When a message was last moved or marked failed; the redrive's thread only. */
    private Instant lastProgress;

    RedriveProgress(String id, String queue, RedriveRequest request, RedriveMetrics metrics, Clock clock) {
        this.id = id;
        this.queue = queue;
        this.request = request;
        this.metrics = metrics;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.lastProgress = startedAt;
    }

    RedriveStatus status() {
        return new RedriveStatus(
                id,
                queue,
                state,
                moved.get(),
                failed.get(),
                toMove,
                startedAt,
                Optional.ofNullable(finishedAt),
                Optional.ofNullable(reason),
                request);
    }

    boolean isRunning() {
        return state == RedriveState.RUNNING;
    }

    /** The redrive started, with this many messages to move. */
    void started(long toMove) {
        this.toMove = toMove;
        metrics.started();
    }

    long toMove() {
        return toMove;
    }

    /** Messages moved or marked failed. */
    long settled() {
        return moved.get() + failed.get();
    }

    void moved() {
        moved.incrementAndGet();
        metrics.moved();
        lastProgress = clock.instant();
    }

    void failed() {
        failed.incrementAndGet();
        metrics.failed();
        lastProgress = clock.instant();
    }

    /** Whether no message was moved or marked failed for longer than {@code limit}. */
    boolean stalledFor(Duration limit) {
        return Duration.between(lastProgress, clock.instant()).compareTo(limit) > 0;
    }

    /** The redrive ended: {@code why} says why when it failed, else null. */
    void finished(RedriveState end, String why) {
        reason = why;
        finishedAt = clock.instant();
        state = end;
        String name = end.name().toLowerCase(Locale.ROOT);
        metrics.finished(name);
        log.info(
                "redrive {} of '{}' {}: {} moved, {} failed, {} to move{}",
                id,
                queue,
                name,
                moved.get(),
                failed.get(),
                toMove,
                why == null ? "" : "; " + why);
    }
}
