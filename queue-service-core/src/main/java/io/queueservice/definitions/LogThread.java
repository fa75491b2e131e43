package io.queueservice.definitions;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log's own thread: it applies events, calls listeners and (re)subscribes, so none of it races. */
final class LogThread {
    // Logged under the log's name, as before the log was split into parts: operators filter on it.
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);

    private final String stream;
    private final ScheduledExecutorService executor;

    LogThread(String stream) {
        this.stream = stream;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "definitions-" + stream);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code task} on the thread, logging what it throws; does nothing once closed. */
    void execute(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("definitions log '{}': unexpected failure", stream, e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Runs {@code task} on the thread after {@code delay}; does nothing once closed. */
    void schedule(Runnable task, Duration delay) {
        try {
            executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /**
     * Runs {@code task} on the thread.
     *
     * @throws RejectedExecutionException once closed
     */
    Future<?> submit(Runnable task) {
        return executor.submit(task);
    }

    void shutdownNow() {
        executor.shutdownNow();
    }
}
