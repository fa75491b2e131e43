package io.queueservice.delay;

import io.queueservice.broker.QueueType;
import io.queueservice.config.ConfigReader;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.time.Duration;
import java.util.Optional;

/**
 * How delayed delivery is set up.
 *
 * @param maxDelay the longest delay a message may ask for ({@code PUBLISH_MAX_DELAY}), at most {@link
 *     DelayLevels#MAX_DELAY}
 * @param queueType the type of the delay queues: {@link QueueType#QUORUM} (replicated, at-least-once
 *     dead-lettering between the levels) or {@link QueueType#CLASSIC} (durable)
 * @param namePrefix the start of the names of the delay exchanges and queues ({@code DELAY_NAME_PREFIX})
 */
public record DelayConfig(Duration maxDelay, QueueType queueType, String namePrefix) {

    /** The setting that bounds the delay a message may ask for. */
    public static final String MAX_DELAY_SETTING = "PUBLISH_MAX_DELAY";

    /** The setting that names the delay machinery. */
    public static final String PREFIX_SETTING = "DELAY_NAME_PREFIX";

    /** {@value #MAX_DELAY_SETTING}'s default: 7 days. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofDays(7);

    /** The core's name for the delay in the {@link Violation}s it reports; the caller maps it to its own. */
    public static final String DELAY_FIELD = "delay";

    public DelayConfig {
        if (maxDelay.isNegative() || maxDelay.compareTo(DelayLevels.MAX_DELAY) > 0) {
            throw new IllegalArgumentException("the longest delay must be between 0 and " + DelayLevels.MAX_DELAY);
        }
        if (queueType != QueueType.CLASSIC && queueType != QueueType.QUORUM) {
            throw new IllegalArgumentException("delay queues are classic or quorum queues, not " + queueType);
        }
        new DelayLevels(namePrefix); // checks the names it makes
    }

    /** The longest delay the levels hold, in queues of {@code queueType}, with the default names. */
    public static DelayConfig of(QueueType queueType) {
        return new DelayConfig(DelayLevels.MAX_DELAY, queueType, DelayLevels.DEFAULT_PREFIX);
    }

    /**
     * Reads {@value #MAX_DELAY_SETTING} (milliseconds, default 7 days, at most {@link DelayLevels#MAX_DELAY})
     * and {@value #PREFIX_SETTING} (default {@value DelayLevels#DEFAULT_PREFIX}).
     *
     * @param defaultQueueType {@code DEFAULT_QUEUE_TYPE} as already read: quorum makes quorum delay queues,
     *     anything else (classic, unset) durable classic ones
     */
    public static DelayConfig from(ConfigReader env, QueueType defaultQueueType) {
        long maxDelay =
                env.longValue(MAX_DELAY_SETTING, DEFAULT_MAX_DELAY.toMillis(), 0, DelayLevels.MAX_DELAY.toMillis());
        String prefix = env.string(PREFIX_SETTING, DelayLevels.DEFAULT_PREFIX);
        try {
            new DelayLevels(prefix);
        } catch (InvalidRequestException e) {
            env.problem(
                    PREFIX_SETTING,
                    "must be a name RabbitMQ accepts, not starting with 'amq.', of at most 246 bytes, but was '"
                            + prefix + "'");
            prefix = DelayLevels.DEFAULT_PREFIX;
        }
        QueueType type = defaultQueueType == QueueType.QUORUM ? QueueType.QUORUM : QueueType.CLASSIC;
        return new DelayConfig(Duration.ofMillis(maxDelay), type, prefix);
    }

    /** The names of the exchanges and queues. */
    public DelayLevels levels() {
        return new DelayLevels(namePrefix);
    }

    /**
     * Checks a requested delay: whole milliseconds from 0 to {@link #maxDelay}.
     *
     * @return what is wrong with it, on the field {@value #DELAY_FIELD}; empty when it is fine
     */
    public Optional<Violation> checkDelay(Duration delay) {
        if (delay == null || delay.isNegative() || delay.compareTo(maxDelay) > 0) {
            return Optional.of(new Violation(
                    DELAY_FIELD,
                    "must be a number of milliseconds between 0 and " + maxDelay.toMillis() + " but was "
                            + (delay == null ? "missing" : delay.toMillis())));
        }
        return Optional.empty();
    }
}
