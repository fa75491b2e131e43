package io.queueservice.delay;

import io.queueservice.broker.AmqpNames;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The binary delay levels and the names of what implements them.
 *
 * <p>Level {@code n} (0 to {@value #LEVELS} - 1) is a topic exchange and a queue, both named {@code
 * <prefix>.level.<nn>}, whose messages wait {@code 2^n} seconds (the queue's message TTL) and are then
 * dead-lettered, routing key unchanged, to the exchange of level {@code n - 1}; level 0 dead-letters to the
 * due queue {@code <prefix>.due}. A delay of {@code s} whole seconds is written in the routing key as
 * {@value #LEVELS} words, {@code 0} or {@code 1}, the bits of {@code s} from level {@value #LEVELS} - 1 down
 * to level 0. Level {@code n}'s exchange sends a message whose bit {@code n} is 1 into its queue, and one
 * whose bit is 0 straight on to the next level down (an exchange-to-exchange binding, no wait). So a message
 * published to the top level waits exactly the levels of its set bits: 37 s = 32 + 4 + 1 passes levels 5, 2
 * and 0. Each queue only ever holds messages of one wait, so they expire in the order they arrived and a
 * long delay never holds up a short one.
 *
 * <p>The levels count whole seconds: {@link #levelSeconds} takes {@link #LEAD} off the delay and rounds down,
 * so a message reaches the due queue between one and two seconds before it is due, even when publishing it
 * or moving it between levels took a while. The dispatcher that consumes the due queue waits out the rest
 * (see {@link DelayDispatcher}): a message is never delivered early, and normally within milliseconds of its
 * due time.
 */
public final class DelayLevels {
    /** How many levels there are: enough for {@link #MAX_DELAY}. */
    public static final int LEVELS = 20;

    /** The longest delay the levels can hold: {@code 2^20 - 1} seconds and 999 ms (about 12 days 3 hours). */
    public static final Duration MAX_DELAY = Duration.ofMillis((1L << LEVELS) * 1000 - 1);

    /**
     * How much sooner than due the levels deliver a message to the due queue, at least: slack for the time
     * its publish and its moves between levels take, so that it is still on time.
     */
    static final Duration LEAD = Duration.ofSeconds(1);

    /** The prefix of the names, unless configured otherwise ({@code DELAY_NAME_PREFIX}). */
    public static final String DEFAULT_PREFIX = "qs.delay";

    private final String prefix;

    /**
     * @param prefix the start of every name ({@link #DEFAULT_PREFIX} unless several delay machineries share a
     *     virtual host)
     * @throws InvalidRequestException when the prefix would make names RabbitMQ refuses
     */
    public DelayLevels(String prefix) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkDeclarable("prefix", prefix, v);
        // the longest name is the level exchange's, "<prefix>.level.19"
        AmqpNames.checkShortString("prefix", prefix + ".level.00", v);
        InvalidRequestException.throwIfAny(v);
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** The exchange of level {@code level}: {@code <prefix>.level.<nn>}. */
    public String exchange(int level) {
        return prefix + ".level." + String.format(Locale.ROOT, "%02d", checkLevel(level));
    }

    /** The queue of level {@code level}; the same name as its exchange (queues and exchanges are apart). */
    public String queue(int level) {
        return exchange(level);
    }

    /** Where every delayed message is published: the top level's exchange. */
    public String entryExchange() {
        return exchange(LEVELS - 1);
    }

    /** The queue messages reach when their levels are done, consumed by the dispatchers. */
    public String dueQueue() {
        return prefix + ".due";
    }

    /** Where a message goes that cannot be delivered when it comes due (no such exchange, unroutable). */
    public String deadLetterQueue() {
        return prefix + ".dlq";
    }

    /** The whole seconds a message due in {@code delay} spends in the levels: {@code delay - LEAD}, rounded down. */
    static long levelSeconds(Duration delay) {
        return Math.max(0, delay.minus(LEAD).toMillis()) / 1000;
    }

    /**
     * Whether a publish to {@code exchange} with {@code routingKey} would reach the delay machinery directly
     * (one of its exchanges, or one of its queues through the default exchange). The API refuses those: a
     * message put there by hand carries its target in headers the dispatcher trusts, so it could reach an
     * exchange its sender may not publish to.
     */
    public boolean isReserved(String exchange, String routingKey) {
        String ours = prefix + ".";
        return exchange.startsWith(ours) || exchange.isEmpty() && routingKey.startsWith(ours);
    }

    /** The wait of level {@code level}: {@code 2^level} seconds. */
    public static Duration ttl(int level) {
        return Duration.ofSeconds(1L << checkLevel(level));
    }

    /**
     * The routing key that carries a delay of {@code seconds} through the levels: {@value #LEVELS} words, its
     * bits from the highest level down, e.g. {@code 0.0. ... .1.0.0.1.0.1} for 37.
     *
     * @throws IllegalArgumentException when the levels cannot hold it
     */
    public static String routingKey(long seconds) {
        if (seconds < 0 || seconds >= 1L << LEVELS) {
            throw new IllegalArgumentException(
                    "the delay levels hold 0 to " + ((1L << LEVELS) - 1) + " s, not " + seconds);
        }
        StringBuilder key = new StringBuilder(LEVELS * 2);
        for (int level = LEVELS - 1; level >= 0; level--) {
            key.append((seconds >> level) & 1);
            if (level > 0) {
                key.append('.');
            }
        }
        return key.toString();
    }

    /**
     * The topic pattern that matches the routing keys whose bit for {@code level} is {@code bit}: the words
     * of the levels above are wild, the rest ({@code #}) too.
     */
    static String pattern(int level, int bit) {
        checkLevel(level);
        if (bit != 0 && bit != 1) {
            throw new IllegalArgumentException("a bit is 0 or 1, not " + bit);
        }
        return "*.".repeat(LEVELS - 1 - level) + bit + ".#";
    }

    private static int checkLevel(int level) {
        if (level < 0 || level >= LEVELS) {
            throw new IllegalArgumentException("levels are 0 to " + (LEVELS - 1) + ", not " + level);
        }
        return level;
    }
}
