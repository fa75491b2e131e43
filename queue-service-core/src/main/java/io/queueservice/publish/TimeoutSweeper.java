package io.queueservice.publish;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Tells callers whose confirm is overdue that the outcome is unknown: one periodic sweep over the shared
 * channels (each checks only its oldest messages), instead of a timer per message, and one check for each
 * channel opened for a single message.
 */
final class TimeoutSweeper {
    private final ScheduledExecutorService timer;
    private final Duration timeout;

    TimeoutSweeper(ScheduledExecutorService timer, Duration timeout) {
        this.timer = timer;
        this.timeout = timeout;
    }

    /** Sweeps the pool's shared channels from now on, often enough to answer within a twentieth of the timeout. */
    void sweep(ChannelPool pool) {
        long every = Math.clamp(timeout.toMillis() / 20, 10, 100);
        timer.scheduleWithFixedDelay(() -> pool.expireOverdue(System.nanoTime()), every, every, TimeUnit.MILLISECONDS);
    }

    /** Checks, once its message's time is up, a channel that carries a single message. */
    void sweepOnce(PublisherChannel alone) {
        timer.schedule(() -> alone.expireOverdue(System.nanoTime()), timeout.toMillis() + 1, TimeUnit.MILLISECONDS);
    }
}
