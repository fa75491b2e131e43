package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModeTest {
    @Test
    void noArgumentsOrApiRunTheApiOnly() {
        assertThat(Mode.parse(new String[0])).isEqualTo(Mode.apiOnly());
        assertThat(Mode.parse(new String[] {"api"})).isEqualTo(Mode.apiOnly());
    }

    @Test
    void workerEmailRunsTheEmailWorkerOnly() {
        assertThat(Mode.parse(new String[] {"worker", "email"})).isEqualTo(Mode.emailWorkerOnly());
    }

    @Test
    void allRunsBoth() {
        assertThat(Mode.parse(new String[] {"all"})).isEqualTo(Mode.apiAndEmailWorker());
    }

    @Test
    void consumeNamesTheQueueToPrint() {
        assertThat(Mode.parse(new String[] {"consume", "orders"})).isEqualTo(new Mode.Print("orders"));
    }

    @Test
    void renderEmailNamesTheMessageFile() {
        assertThat(Mode.parse(new String[] {"render-email", "signup.json"}))
                .isEqualTo(new Mode.RenderEmail("signup.json"));
        Mode stdin = Mode.parse(new String[] {"render-email", "-"});
        assertThat(stdin).isEqualTo(new Mode.RenderEmail("-"));
        assertThat(stdin.api()).isFalse();
        assertThat(stdin.emailWorker()).isFalse();
        assertThat(stdin).isNotInstanceOf(Mode.Print.class);
    }

    @Test
    void pushRunsDeliveriesWithoutTheApi() {
        Mode push = Mode.parse(new String[] {"push"});

        assertThat(push).isEqualTo(Mode.pushOnly());
        assertThat(push.api()).isFalse();
        assertThat(push.pushSubscriptions()).isTrue();
        assertThat(Mode.apiOnly().pushSubscriptions()).isTrue();
        assertThat(Mode.emailWorkerOnly().pushSubscriptions()).isFalse();
    }

    @Test
    void anythingElseIsRefusedWithTheUsage() {
        assertThatThrownBy(() -> Mode.parse(new String[] {"worker", "sms"})).hasMessageContaining("usage:");
        assertThatThrownBy(() -> Mode.parse(new String[] {"consume"})).hasMessageContaining("usage:");
        assertThatThrownBy(() -> Mode.parse(new String[] {"render-email"}))
                .hasMessageContaining("render-email <message.json>");
        assertThatThrownBy(() -> Mode.parse(new String[] {"render-email", "a.json", "b.json"}))
                .hasMessageContaining("usage:");
        assertThatThrownBy(() -> Mode.parse(new String[] {"--port", "3000"})).hasMessageContaining("usage:");
    }
}
