package io.queueservice.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queueservice.broker.QueueType;
import io.queueservice.config.ConfigException;
import io.queueservice.config.ConfigReader;
import io.queueservice.validation.Violation;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DelayConfigTest {
    @Test
    void defaultsAreSevenDaysClassicQueuesAndTheQsDelayNames() {
        ConfigReader env = new ConfigReader(Map.of());
        DelayConfig c = DelayConfig.from(env, null);
        env.validate();
        assertThat(c.maxDelay()).isEqualTo(Duration.ofDays(7));
        assertThat(c.queueType()).isEqualTo(QueueType.CLASSIC);
        assertThat(c.namePrefix()).isEqualTo("qs.delay");
    }

    @Test
    void quorumDefaultQueueTypeMakesQuorumDelayQueues() {
        assertThat(DelayConfig.from(new ConfigReader(Map.of()), QueueType.QUORUM)
                        .queueType())
                .isEqualTo(QueueType.QUORUM);
    }

    @Test
    void everyBadSettingIsReportedWithItsNameAndValue() {
        ConfigReader env = new ConfigReader(Map.of("PUBLISH_MAX_DELAY", "2000000000", "DELAY_NAME_PREFIX", "amq.mine"));
        DelayConfig.from(env, null);
        assertThatThrownBy(env::validate)
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anySatisfy(p ->
                                assertThat(p).startsWith("PUBLISH_MAX_DELAY").contains("'2000000000'"))
                        .anySatisfy(p ->
                                assertThat(p).startsWith("DELAY_NAME_PREFIX").contains("'amq.mine'")));
        ConfigReader words = new ConfigReader(Map.of("PUBLISH_MAX_DELAY", "7d"));
        DelayConfig.from(words, null);
        assertThatThrownBy(words::validate).hasMessageContaining("PUBLISH_MAX_DELAY must be an integer but was '7d'");
    }

    @Test
    void delaysFromZeroToTheMaximumPassAndOthersNameTheField() {
        DelayConfig c = new DelayConfig(Duration.ofSeconds(10), QueueType.CLASSIC, "qs.delay");
        assertThat(c.checkDelay(Duration.ZERO)).isEmpty();
        assertThat(c.checkDelay(Duration.ofSeconds(10))).isEmpty();
        assertThat(c.checkDelay(Duration.ofMillis(10_001)))
                .contains(new Violation("delay", "must be a number of milliseconds between 0 and 10000 but was 10001"));
        assertThat(c.checkDelay(Duration.ofMillis(-1)))
                .get()
                .extracting(Violation::field)
                .isEqualTo("delay");
        assertThat(c.checkDelay(null)).isPresent();
    }
}
