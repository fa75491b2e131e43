package io.queueservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryConfigTest {

    private static RetryConfig valid(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        RetryConfig c = RetryConfig.from(r);
        r.validate();
        return c;
    }

    private static ConfigException refused(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        RetryConfig.from(r);
        ConfigException e = catchThrowableOfType(ConfigException.class, r::validate);
        assertThat(e).as("should be refused: %s", env).isNotNull();
        return e;
    }

    @Test
    void defaultsAreFiveRetriesFromOneSecondToOneMinute() {
        RetryConfig c = valid(Map.of());

        assertThat(c.maxRetries()).isEqualTo(5);
        assertThat(c.initialDelay()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.maxDelay()).isEqualTo(Duration.ofMillis(60_000));
    }

    @Test
    void valuesAreReadInMilliseconds() {
        RetryConfig c = valid(Map.of("MAX_RETRIES", "0", "INITIAL_RETRY_DELAY", "250", "MAX_RETRY_DELAY", "250"));

        assertThat(c.maxRetries()).isZero();
        assertThat(c.initialDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.maxDelay()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void initialDelayGreaterThanMaxDelayIsRefusedNamingBoth() {
        ConfigException e = refused(Map.of("INITIAL_RETRY_DELAY", "5000", "MAX_RETRY_DELAY", "4000"));

        assertThat(e.problems())
                .singleElement(STRING)
                .startsWith("INITIAL_RETRY_DELAY")
                .contains("5000")
                .contains("MAX_RETRY_DELAY")
                .contains("4000");
    }

    @Test
    void initialDelayAboveTheDefaultMaxIsRefused() {
        assertThat(refused(Map.of("INITIAL_RETRY_DELAY", "60001")).problems())
                .singleElement(STRING)
                .startsWith("INITIAL_RETRY_DELAY");
    }

    @Test
    void invalidInitialDelayIsReportedOnlyOnce() {
        ConfigException e = refused(Map.of("INITIAL_RETRY_DELAY", "soon", "MAX_RETRY_DELAY", "500"));

        assertThat(e.problems())
                .singleElement(STRING)
                .startsWith("INITIAL_RETRY_DELAY")
                .contains("'soon'");
    }

    @Test
    void negativeRetriesAndZeroDelayAreRefusedTogether() {
        ConfigException e = refused(Map.of("MAX_RETRIES", "-1", "INITIAL_RETRY_DELAY", "0"));

        assertThat(e.problems())
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).startsWith("MAX_RETRIES").contains("'-1'"))
                .anySatisfy(p -> assertThat(p).startsWith("INITIAL_RETRY_DELAY").contains("'0'"));
    }
}
