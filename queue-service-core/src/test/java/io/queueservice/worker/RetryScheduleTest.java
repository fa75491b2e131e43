package io.queueservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.config.RetryConfig;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private final RetrySchedule schedule =
            new RetrySchedule("orders", new RetryConfig(5, Duration.ofSeconds(1), Duration.ofSeconds(6)));

    @Test
    void delaysDoubleFromTheInitialOneUpToTheMaximum() {
        assertThat(schedule.baseDelay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(schedule.baseDelay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(schedule.baseDelay(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(schedule.baseDelay(4)).isEqualTo(Duration.ofSeconds(6));
        assertThat(schedule.baseDelay(60)).isEqualTo(Duration.ofSeconds(6)); // no overflow for huge n
    }

    @Test
    void eachDistinctDelayIsOneStepWithItsOwnQueue() {
        assertThat(schedule.steps())
                .containsExactly(
                        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(6));
        assertThat(schedule.retryQueue(Duration.ofSeconds(2))).isEqualTo("orders.retry.2000");
        assertThat(schedule.deadLetterQueue()).isEqualTo("orders.dlq");
        assertThat(schedule.retryQueues())
                .containsExactly("orders.retry.1000", "orders.retry.2000", "orders.retry.4000", "orders.retry.6000");
    }

    @Test
    void aRequestedDelayGoesToTheShortestStepAtLeastAsLong() {
        assertThat(schedule.stepFor(Duration.ofMillis(10))).isEqualTo(Duration.ofSeconds(1));
        assertThat(schedule.stepFor(Duration.ofMillis(2500))).isEqualTo(Duration.ofSeconds(4));
        assertThat(schedule.stepFor(Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(6));
    }

    @RepeatedTest(20)
    void jitterStaysInTheSecondHalfOfTheStep() {
        Duration d = schedule.jitteredDelay(3);
        assertThat(d).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void noRetriesStillHasOneStep() {
        RetrySchedule none = new RetrySchedule("q", new RetryConfig(0, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThat(none.steps()).hasSize(1);
        assertThat(none.maxRetries()).isZero();
    }

    @Test
    void theMaximumIsAStepEvenWhenTheRetriesNeverReachIt() {
        RetrySchedule short_ =
                new RetrySchedule("q", new RetryConfig(2, Duration.ofMillis(100), Duration.ofMillis(1000)));
        assertThat(short_.steps())
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofSeconds(1));
        assertThat(short_.stepFor(Duration.ofMillis(700))).isEqualTo(Duration.ofSeconds(1));
        assertThat(short_.baseDelay(2)).isEqualTo(Duration.ofMillis(200));
    }
}
