package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queueservice.config.ConfigException;
import io.queueservice.config.ConfigReader;
import io.queueservice.worker.WorkerOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code DEFAULT_QUEUE_TYPE}. */
class QueueTypeTest {
    private static QueueType read(Map<String, String> env) {
        ConfigReader r = new ConfigReader(env);
        QueueType t = QueueType.defaultFrom(r);
        r.validate();
        return t;
    }

    @Test
    void unsetMeansTheBrokersDefault() {
        assertThat(read(Map.of())).isNull();
        assertThat(read(Map.of("DEFAULT_QUEUE_TYPE", "  "))).isNull();
        assertThat(WorkerOptions.defaults().queueType()).isNull();
    }

    @ParameterizedTest
    @CsvSource({"classic, CLASSIC", "quorum, QUORUM", "Quorum, QUORUM", "' CLASSIC ', CLASSIC"})
    void classicOrQuorumInAnyCase(String value, QueueType expected) {
        assertThat(read(Map.of("DEFAULT_QUEUE_TYPE", value))).isEqualTo(expected);
        assertThat(WorkerOptions.from(new ConfigReader(Map.of("DEFAULT_QUEUE_TYPE", value)))
                        .queueType())
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"stream", "mirrored", "true"})
    void anythingElseIsAConfigurationErrorNamingTheVariableAndValue(String value) {
        assertThatThrownBy(() -> read(Map.of("DEFAULT_QUEUE_TYPE", value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("DEFAULT_QUEUE_TYPE")
                .hasMessageContaining("must be classic or quorum")
                .hasMessageContaining("'" + value + "'");
    }

    @Test
    void workersRefuseStreamsForTheirQueues() {
        assertThatThrownBy(() -> WorkerOptions.defaults().withQueueType(QueueType.STREAM))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(WorkerOptions.defaults().withQueueType(QueueType.QUORUM).queueType())
                .isEqualTo(QueueType.QUORUM);
    }
}
