package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.queueservice.config.BrokerConfig.Node;
import io.queueservice.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

    @Test
    void defaultsArePort3000InfoAndOneMebibyteBodies() {
        ServerConfig c = ServerConfig.from(Map.of("AUTH_MODE", "none"));

        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(3000);
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.maxBodyBytes()).isEqualTo(1_048_576);
        assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.broker().nodes()).containsExactly(new Node("localhost", 5672));
        assertThat(c.broker().heartbeatSeconds()).isEqualTo(60);
        assertThat(c.publish().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.worker().retry().maxRetries()).isEqualTo(5);
    }

    @Test
    void settingsAreRead() {
        ServerConfig c = ServerConfig.from(Map.of(
                "AUTH_MODE", "none",
                "HOST", "127.0.0.1",
                "PORT", "0",
                "LOG_LEVEL", "DEBUG",
                "MAX_BODY_SIZE", "2048",
                "SHUTDOWN_TIMEOUT", "0",
                "RABBITMQ_URL", "amqp://app:pw@rabbit:5673/prod",
                "REQUEST_TIMEOUT", "1500",
                "MAX_RETRIES", "2"));

        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isZero();
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.maxBodyBytes()).isEqualTo(2048);
        assertThat(c.shutdownTimeout()).isZero();
        assertThat(c.broker().nodes()).containsExactly(new Node("rabbit", 5673));
        assertThat(c.broker().virtualHost()).isEqualTo("prod");
        assertThat(c.publish().requestTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.worker().retry().maxRetries()).isEqualTo(2);
    }

    @Test
    void everyBadSettingIsReportedInOneException() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> ServerConfig.from(Map.of(
                        "AUTH_MODE", "none",
                        "PORT", "70000",
                        "LOG_LEVEL", "verbose",
                        "RABBITMQ_HEARTBEAT", "often")));

        assertThat(e).isNotNull();
        assertThat(e.problems())
                .hasSize(3)
                .anySatisfy(p -> assertThat(p).startsWith("PORT").contains("'70000'"))
                .anySatisfy(p -> assertThat(p).startsWith("LOG_LEVEL").contains("'verbose'"))
                .anySatisfy(p -> assertThat(p).startsWith("RABBITMQ_HEARTBEAT").contains("'often'"));
        assertThat(e.getMessage()).contains("PORT", "LOG_LEVEL", "RABBITMQ_HEARTBEAT");
    }

    @Test
    void bodyLimitBelowOneKibibyteIsRefused() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class, () -> ServerConfig.from(Map.of("AUTH_MODE", "none", "MAX_BODY_SIZE", "100")));

        assertThat(e.problems())
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("MAX_BODY_SIZE").contains("'100'"));
    }

    @Test
    void configurationErrorsNeverShowTheBrokerPassword() {
        ConfigException e = catchThrowableOfType(
                ConfigException.class,
                () -> ServerConfig.from(Map.of(
                        "AUTH_MODE", "none",
                        "RABBITMQ_URL", "http://app:s3cr3t-pw@rabbit:5671",
                        "PORT", "-1")));

        assertThat(e.problems()).hasSize(2);
        assertThat(e.getMessage()).doesNotContain("s3cr3t-pw");
    }

    @Test
    void toStringOfTheConfigNeverShowsTheBrokerPassword() {
        ServerConfig c = ServerConfig.from(Map.of("AUTH_MODE", "none", "RABBITMQ_URL", "amqp://app:s3cr3t-pw@rabbit"));

        assertThat(c.toString()).doesNotContain("s3cr3t-pw").contains("rabbit:5672");
    }
}
