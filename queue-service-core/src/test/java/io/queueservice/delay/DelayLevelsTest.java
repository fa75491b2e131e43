package io.queueservice.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queueservice.validation.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DelayLevelsTest {
    private final DelayLevels levels = new DelayLevels("qs.delay");

    @Test
    void routingKeyHoldsTheBitsOfTheDelayFromTheTopLevelDown() {
        String key = DelayLevels.routingKey(37);
        assertThat(key.split("\\.")).hasSize(DelayLevels.LEVELS);
        assertThat(key).endsWith(".1.0.0.1.0.1").startsWith("0.0.0.");
        assertThat(DelayLevels.routingKey(0)).isEqualTo(String.join(".", java.util.Collections.nCopies(20, "0")));
        assertThat(DelayLevels.routingKey((1L << 20) - 1)).doesNotContain("0");
    }

    @Test
    void aDelayOutsideTheLevelsIsRefused() {
        assertThatThrownBy(() -> DelayLevels.routingKey(1L << 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DelayLevels.routingKey(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sevenDaysFitTheLevels() {
        assertThat(DelayLevels.MAX_DELAY).isGreaterThan(Duration.ofDays(12));
        assertThat(DelayLevels.ttl(19)).isEqualTo(Duration.ofSeconds(524_288));
        // RabbitMQ stores TTLs as unsigned 32-bit milliseconds
        assertThat(DelayLevels.ttl(19).toMillis()).isLessThan(4_294_967_295L);
    }

    @Test
    void theLevelsDeliverBetweenOneAndTwoSecondsEarlySoTheDispatcherCanBeOnTime() {
        assertThat(DelayLevels.levelSeconds(Duration.ZERO)).isZero();
        assertThat(DelayLevels.levelSeconds(Duration.ofMillis(1999))).isZero();
        assertThat(DelayLevels.levelSeconds(Duration.ofMillis(2000))).isEqualTo(1);
        assertThat(DelayLevels.levelSeconds(Duration.ofMillis(38_000))).isEqualTo(37);
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            Duration delay = Duration.ofMillis(1000 + random.nextLong(DelayLevels.MAX_DELAY.toMillis() - 1000));
            Duration early = delay.minusSeconds(DelayLevels.levelSeconds(delay));
            assertThat(early).isBetween(Duration.ofSeconds(1), Duration.ofMillis(1999));
        }
        assertThat(DelayLevels.levelSeconds(DelayLevels.MAX_DELAY)).isLessThan(1L << DelayLevels.LEVELS);
    }

    @Test
    void namesFollowThePrefix() {
        assertThat(levels.exchange(7)).isEqualTo("qs.delay.level.07");
        assertThat(levels.queue(19)).isEqualTo("qs.delay.level.19");
        assertThat(levels.entryExchange()).isEqualTo("qs.delay.level.19");
        assertThat(levels.dueQueue()).isEqualTo("qs.delay.due");
        assertThat(levels.deadLetterQueue()).isEqualTo("qs.delay.dlq");
        assertThat(new DelayLevels("test-1").dueQueue()).isEqualTo("test-1.due");
    }

    @Test
    void publishingStraightIntoTheDelayMachineryIsReserved() {
        assertThat(levels.isReserved("qs.delay.level.19", "0.0.1")).isTrue();
        assertThat(levels.isReserved("", "qs.delay.due")).isTrue();
        assertThat(levels.isReserved("", "qs.delay.dlq")).isTrue();
        assertThat(levels.isReserved("orders", "qs.delay.due")).isFalse();
        assertThat(levels.isReserved("", "orders")).isFalse();
        assertThat(levels.isReserved("qs.delayed", "x")).isFalse();
    }

    @Test
    void aPrefixThatMakesBadNamesIsRefused() {
        assertThatThrownBy(() -> new DelayLevels("amq.delay")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> new DelayLevels("")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> new DelayLevels("x".repeat(247))).isInstanceOf(InvalidRequestException.class);
        assertThat(new DelayLevels("x".repeat(246)).exchange(19)).hasSize(255);
    }

    /** A 37 s delay passes the 32 s, 4 s and 1 s levels, as the issue's example says, and nothing else. */
    @Test
    void aMessagePassesTheLevelsOfItsSetBitsOnly() {
        assertThat(route(37)).containsExactly(5, 2, 0);
        assertThat(route(0)).isEmpty();
        assertThat(route(1)).containsExactly(0);
        assertThat(route(604_800)).hasSize(Long.bitCount(604_800));
    }

    @Test
    void everyDelayWaitsExactlyItsWholeSecondsThroughTheBindings() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            long seconds = random.nextLong(1L << DelayLevels.LEVELS);
            long waited = route(seconds).stream()
                    .mapToLong(level -> DelayLevels.ttl(level).toSeconds())
                    .sum();
            assertThat(waited).as("delay %d s", seconds).isEqualTo(seconds);
        }
    }

    /**
     * Follows a routing key through the bindings DelayTopology declares, matched as a topic exchange matches
     * them: at each level exactly one of the two patterns must match, and a match of the "1" pattern means a
     * wait in that level's queue.
     */
    private static List<Integer> route(long seconds) {
        String key = DelayLevels.routingKey(seconds);
        List<Integer> waits = new ArrayList<>();
        for (int level = DelayLevels.LEVELS - 1; level >= 0; level--) {
            boolean one = topicMatches(DelayLevels.pattern(level, 1), key);
            boolean zero = topicMatches(DelayLevels.pattern(level, 0), key);
            assertThat(one ^ zero)
                    .as("exactly one binding of level %d matches %s", level, key)
                    .isTrue();
            if (one) {
                waits.add(level);
            }
        }
        return waits;
    }

    /** AMQP topic matching: '*' is one word, '#' zero or more. */
    private static boolean topicMatches(String pattern, String key) {
        return matches(pattern.split("\\."), 0, key.split("\\."), 0);
    }

    private static boolean matches(String[] p, int i, String[] k, int j) {
        if (i == p.length) {
            return j == k.length;
        }
        if (p[i].equals("#")) {
            for (int skip = j; skip <= k.length; skip++) {
                if (matches(p, i + 1, k, skip)) {
                    return true;
                }
            }
            return false;
        }
        return j < k.length && (p[i].equals("*") || p[i].equals(k[j])) && matches(p, i + 1, k, j + 1);
    }
}
