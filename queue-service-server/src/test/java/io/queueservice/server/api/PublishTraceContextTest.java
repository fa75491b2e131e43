package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.queueservice.publish.OutgoingMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The request's W3C trace context in the message headers: when it goes there and when it does not. */
class PublishTraceContextTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String TRACESTATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";

    private static OutgoingMessage message(String json, String traceparent, String tracestate) throws IOException {
        return PublishMessages.toMessage(
                JsonBodies.MAPPER.readValue(json.getBytes(StandardCharsets.UTF_8), PublishRequest.class),
                traceparent,
                tracestate);
    }

    private static Map<String, Object> headers(OutgoingMessage m) {
        return m.properties().getHeaders() == null ? Map.of() : m.properties().getHeaders();
    }

    @Test
    void aValidTraceparentAndItsTracestateGoInTheHeaders() throws IOException {
        OutgoingMessage m = message("{\"routingKey\":\"q\",\"message\":1}", TRACEPARENT, TRACESTATE);

        assertThat(headers(m))
                .containsExactlyInAnyOrderEntriesOf(Map.of("traceparent", TRACEPARENT, "tracestate", TRACESTATE));
    }

    @Test
    void aTraceparentWithoutTracestateGoesAlone() throws IOException {
        OutgoingMessage m = message("{\"message\":1}", TRACEPARENT, null);

        assertThat(headers(m)).containsExactly(Map.entry("traceparent", TRACEPARENT));
    }

    @Test
    void theClientsOwnHeadersAreKeptBesideTheTraceContext() throws IOException {
        OutgoingMessage m =
                message("{\"message\":1,\"options\":{\"headers\":{\"tenant\":\"acme\"}}}", TRACEPARENT, null);

        assertThat(headers(m)).containsEntry("tenant", "acme").containsEntry("traceparent", TRACEPARENT);
    }

    @Test
    void aTraceparentTheClientSetInTheMessageHeadersIsKept() throws IOException {
        String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        OutgoingMessage m = message(
                "{\"message\":1,\"options\":{\"headers\":{\"traceparent\":\"" + own + "\"}}}", TRACEPARENT, TRACESTATE);

        assertThat(headers(m)).containsExactly(Map.entry("traceparent", own));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "garbage",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            })
    void anInvalidTraceparentIsIgnoredNotRefused(String invalid) throws IOException {
        OutgoingMessage m = message("{\"routingKey\":\"q\",\"message\":1}", invalid, TRACESTATE);

        assertThat(m.routingKey()).isEqualTo("q");
        assertThat(headers(m)).isEmpty();
    }

    @Test
    void aTracestateWithoutTraceparentIsIgnored() throws IOException {
        assertThat(headers(message("{\"message\":1}", null, TRACESTATE))).isEmpty();
    }

    @Test
    void aTracestateUnfitToPassOnIsDroppedButTheTraceparentKept() throws IOException {
        OutgoingMessage m = message("{\"message\":1}", TRACEPARENT, "a=" + "x".repeat(600));

        assertThat(headers(m)).containsExactly(Map.entry("traceparent", TRACEPARENT));
    }

    @Test
    void withoutTraceContextTheMessageHasNoHeaders() throws IOException {
        assertThat(message("{\"message\":1}", null, null).properties().getHeaders())
                .isNull();
    }
}
