package io.queueservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishConfigTest {

    @Test
    void defaultsAreFiveSecondsTwoChannelsTenThousandInFlight() {
        ConfigReader r = new ConfigReader(Map.of());
        PublishConfig c = PublishConfig.from(r);
        r.validate();

        assertThat(c.requestTimeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(c.channels()).isEqualTo(2);
        assertThat(c.maxInFlight()).isEqualTo(10_000);
    }

    @Test
    void valuesAreRead() {
        ConfigReader r = new ConfigReader(
                Map.of("REQUEST_TIMEOUT", "750", "PUBLISH_CHANNELS", "1", "PUBLISH_MAX_IN_FLIGHT", "3"));
        PublishConfig c = PublishConfig.from(r);
        r.validate();

        assertThat(c).isEqualTo(new PublishConfig(Duration.ofMillis(750), 1, 3));
    }

    @Test
    void outOfRangeValuesAreAllReported() {
        ConfigReader r = new ConfigReader(
                Map.of("REQUEST_TIMEOUT", "99", "PUBLISH_CHANNELS", "0", "PUBLISH_MAX_IN_FLIGHT", "lots"));
        PublishConfig.from(r);

        ConfigException e = catchThrowableOfType(ConfigException.class, r::validate);

        assertThat(e.problems())
                .hasSize(3)
                .anySatisfy(p -> assertThat(p).startsWith("REQUEST_TIMEOUT").contains("'99'"))
                .anySatisfy(p -> assertThat(p).startsWith("PUBLISH_CHANNELS").contains("'0'"))
                .anySatisfy(
                        p -> assertThat(p).startsWith("PUBLISH_MAX_IN_FLIGHT").contains("'lots'"));
    }
}
