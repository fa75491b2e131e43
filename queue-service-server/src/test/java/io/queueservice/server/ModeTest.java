package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModeTest {
    @Test
    void noArgumentsOrApiRunTheApiOnly() {
        assertThat(Mode.parse(new String[0])).isEqualTo(new Mode(true, false, null));
        assertThat(Mode.parse(new String[] {"api"})).isEqualTo(new Mode(true, false, null));
    }

    @Test
    void workerEmailRunsTheEmailWorkerOnly() {
        assertThat(Mode.parse(new String[] {"worker", "email"})).isEqualTo(new Mode(false, true, null));
    }

    @Test
    void allRunsBoth() {
        assertThat(Mode.parse(new String[] {"all"})).isEqualTo(new Mode(true, true, null));
    }

    @Test
    void consumeNamesTheQueueToPrint() {
        assertThat(Mode.parse(new String[] {"consume", "orders"}).printQueue()).isEqualTo("orders");
    }

    @Test
    void anythingElseIsRefusedWithTheUsage() {
        assertThatThrownBy(() -> Mode.parse(new String[] {"worker", "sms"})).hasMessageContaining("usage:");
        assertThatThrownBy(() -> Mode.parse(new String[] {"consume"})).hasMessageContaining("usage:");
        assertThatThrownBy(() -> Mode.parse(new String[] {"--port", "3000"})).hasMessageContaining("usage:");
    }
}
