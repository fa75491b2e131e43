package io.queueservice.redrive;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * How fast a redrive goes: at most its rate per second (a token bucket holding a tenth of a second's worth, so the
 * rate holds over short spans too), and a growing pause after each message the broker did not take (250 ms,
 * doubling, at most 5 s; back to 250 ms once one is moved). Every wait ends early when the redrive is cancelled.
 */
final class RedrivePace {
    static final Duration POLL = Duration.ofMillis(100);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    private static final Duration MAX_PAUSE = Duration.ofSeconds(5);

    private final Bucket bucket;
    private final BooleanSupplier cancelled;
    private Duration pause = FIRST_PAUSE;

    RedrivePace(int ratePerSecond, BooleanSupplier cancelled) {
        this.bucket = Bucket.builder()
                .addLimit(Bandwidth.builder()
                        .capacity(Math.max(1, ratePerSecond / 10))
                        .refillGreedy(ratePerSecond, Duration.ofSeconds(1))
                        .build())
                .build();
        this.cancelled = cancelled;
    }

    /** Waits until the rate allows one more message; false when cancelled meanwhile. */
    boolean awaitTurn() throws InterruptedException {
        while (!cancelled.getAsBoolean()) {
            if (bucket.asBlocking().tryConsume(1, POLL)) {
                return true;
            }
        }
        return false;
    }

    /** After a message the broker did not take: waits the current pause, and makes the next one longer. */
    Duration backOff() throws InterruptedException {
        Duration waited = pause;
        sleep(pause);
        pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
        return waited;
    }

    /** A message was moved or settled: the next pause is the first one again. */
    void progressed() {
        pause = FIRST_PAUSE;
    }

    /** Waits {@code d}, or less when cancelled meanwhile. */
    void sleep(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (!cancelled.getAsBoolean() && System.nanoTime() < until) {
            TimeUnit.MILLISECONDS.sleep(
                    Math.min(POLL.toMillis(), Math.max(1, (until - System.nanoTime()) / 1_000_000)));
        }
    }
}
