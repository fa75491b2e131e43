package io.queueservice.publish;

import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.KnownExchanges;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publisher's channels: a few shared ones, used in turn and replaced when they die or a negative confirm
 * retires them (see {@link PublisherChannel#isUsable()}), and channels of their own for first publishes.
 */
final class ChannelPool {
    private static final Logger log = LoggerFactory.getLogger(ChannelPool.class);
    private static final Duration RETRY_AFTER_NO_CHANNEL = Duration.ofSeconds(1);

    private final BrokerConnection connection;
    private final Duration timeout;
    private final Runnable onSettled;
    private final KnownExchanges knownExchanges;
    private final ScheduledExecutorService timer;
    private final PublisherChannel[] shared;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param timeout how long a caller waits for a confirm
     * @param onSettled called once for every message settled on any channel
     * @param timer closes retired channels; not the connection's reader thread (closing waits for the broker)
     */
    ChannelPool(
            BrokerConnection connection,
            int channels,
            Duration timeout,
            Runnable onSettled,
            KnownExchanges knownExchanges,
            ScheduledExecutorService timer) {
        this.connection = connection;
        this.timeout = timeout;
        this.onSettled = onSettled;
        this.knownExchanges = knownExchanges;
        this.timer = timer;
        this.shared = new PublisherChannel[channels];
    }

    /**
     * The next shared channel in turn, opened when it is missing, dead or retired by a negative confirm. A
     * retired one is closed once every caller waiting on it has been answered (confirmed, or told it timed out).
     */
    PublisherChannel next() {
        int i = Math.floorMod(next.getAndIncrement(), shared.length);
        PublisherChannel ch = shared[i];
        if (ch != null && ch.isUsable()) {
            return ch;
        }
        synchronized (shared) {
            ch = shared[i];
            if (ch == null || !ch.isUsable()) {
                PublisherChannel retired = ch;
                ch = open(PublisherChannel.Use.SHARED);
                shared[i] = ch;
                if (retired != null) {
                    log.debug("Replacing a publishing channel after a negative confirm or its loss");
                    closeLater(retired);
                }
            }
            return ch;
        }
    }

    /** A channel for one message, closed once it is settled (see {@link #closeLater}). */
    PublisherChannel openAlone() {
        return open(PublisherChannel.Use.ALONE);
    }

    /** Closes the channel once every caller waiting on it has been answered (at the latest, timed out). */
    void closeLater(PublisherChannel ch) {
        timer.schedule(ch::close, timeout.toMillis() + 1, TimeUnit.MILLISECONDS);
    }

    /** Opens a channel, its frames sent at once even while writes are held (see {@link BrokerConnection#holdWrites()}). */
    private PublisherChannel open(PublisherChannel.Use use) {
        return connection.unheld(() -> {
            try {
                var amqpChannel = connection.requirePublishable().createChannel();
                if (amqpChannel == null) {
                    throw new BrokerUnavailableException(
                            "the broker connection has no free channel", RETRY_AFTER_NO_CHANNEL);
                }
                return new PublisherChannel(
                        amqpChannel,
                        connection::coalesceWrites,
                        timeout,
                        onSettled,
                        knownExchanges,
                        use,
                        PublisherChannel.MIN_LIFE_BEFORE_RETIRING);
            } catch (IOException e) {
                throw BrokerErrors.translate(e);
            }
        });
    }

    /** Tells the callers whose confirm is overdue on a shared channel that the outcome is unknown. */
    void expireOverdue(long nowNanos) {
        for (PublisherChannel ch : shared) {
            if (ch != null) {
                ch.expireOverdue(nowNanos);
            }
        }
    }

    /** Tells every caller waiting on a shared channel why its outcome will not be known in time. */
    void abandonWaiting(BrokerException why) {
        synchronized (shared) {
            for (PublisherChannel ch : shared) {
                if (ch != null) {
                    ch.abandonWaiting(why);
                }
            }
        }
    }

    void close() {
        synchronized (shared) {
            for (PublisherChannel ch : shared) {
                if (ch != null) {
                    ch.close();
                }
            }
        }
    }
}
