package io.queueservice.worker;

import io.queueservice.config.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The backoff schedule of a work queue, and the names of the queues that implement it.
 *
 * <p>Retry number n waits about {@code initial * 2^(n-1)}, at most {@code max}. Each distinct delay (a
 * step) has its own retry queue, {@code <queue>.retry.<milliseconds>}, whose messages expire after that
 * delay and are dead-lettered back to the work queue. A queue only ever holds messages of one delay, so a
 * long delay never holds up a short one. Jitter spreads a step's messages over the second half of its
 * delay (per-message expiration), so that messages that failed together do not all return together.
 * Failed messages that cannot be processed go to {@code <queue>.dlq}. The maximum delay is always a step, even
 * when the retries allowed never reach it, so that a retry can wait as long as a downstream asked, up to it.
 *
 * <p>Public so that code around a worker (tests, clean-up scripts, monitoring) names these queues the way
 * the worker does instead of deriving the names by hand.
 */
public final class RetrySchedule {
    private final String queue;
    private final RetryConfig config;
    private final List<Duration> steps;

    /**
     * The schedule of work queue {@code queue} under {@code config}.
     *
     * @param queue the work queue's name
     * @param config the retry settings the worker consumes it with ({@code WorkerOptions#retry()})
     */
    public RetrySchedule(String queue, RetryConfig config) {
        this.queue = queue;
        this.config = config;
        List<Duration> s = new ArrayList<>();
        for (int n = 1; n <= Math.max(1, config.maxRetries()); n++) {
            Duration d = baseDelay(n);
            if (!s.contains(d)) {
                s.add(d);
            }
        }
        // One step of the maximum too, for a retry that must wait longer than the schedule's last step (what a
        // downstream asked for: see Outcome#retryAtLeast).
        if (!s.contains(config.maxDelay())) {
            s.add(config.maxDelay());
        }
        this.steps = List.copyOf(s);
    }

    /** The dead-letter queue of work queue {@code queue}: {@code <queue>.dlq}. */
    public static String deadLetterQueue(String queue) {
        return queue + ".dlq";
    }

    /** The retry queue of work queue {@code queue} for one step: {@code <queue>.retry.<milliseconds>}. */
    public static String retryQueue(String queue, Duration step) {
        return queue + ".retry." + step.toMillis();
    }

    /** Every step of the schedule, shortest first (at least one, even with no retries). */
    public List<Duration> steps() {
        return steps;
    }

    /** The names of the retry queues, one per step, shortest delay first. */
    public List<String> retryQueues() {
        return steps.stream().map(this::retryQueue).toList();
    }

    int maxRetries() {
        return config.maxRetries();
    }

    /** The un-jittered delay before retry number {@code n} (1 for the first retry). */
    Duration baseDelay(int n) {
        long initial = config.initialDelay().toMillis();
        long max = config.maxDelay().toMillis();
        int shift = Math.min(n - 1, 62);
        long delay = initial > (max >> shift) ? max : initial << shift;
        return Duration.ofMillis(Math.min(delay, max));
    }

    /** The step (retry queue) for a requested delay: the shortest step that is at least as long, else the longest. */
    Duration stepFor(Duration requested) {
        for (Duration step : steps) {
            if (step.compareTo(requested) >= 0) {
                return step;
            }
        }
        return steps.get(steps.size() - 1);
    }

    /** A delay for retry number {@code n}: its step, jittered over the step's second half. */
    Duration jitteredDelay(int n) {
        long base = baseDelay(n).toMillis();
        long half = base / 2;
        return Duration.ofMillis(base - half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    String retryQueue(Duration step) {
        return retryQueue(queue, step);
    }

    /** The dead-letter queue of this schedule's work queue. */
    public String deadLetterQueue() {
        return deadLetterQueue(queue);
    }
}
