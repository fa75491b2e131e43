package io.queueservice.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @ParameterizedTest
    @ValueSource(
            strings = {
                VALID,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", // not sampled
                "00-00000000000000000000000000000001-0000000000000001-ff", // only all zeros is refused
            })
    void validTraceparentsAreAccepted(String value) {
        assertThat(TraceContext.isValid(value)).isTrue();
        assertThat(TraceContext.traceId(value)).isEqualTo(value.substring(3, 35));
    }

    @Test
    void theTraceIdIsTheSecondField() {
        assertThat(TraceContext.traceId(VALID)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(
            strings = {
                "",
                "garbage",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // trace id all zeros
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // parent id all zeros
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // unknown version
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
                "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", // trace id too short
                "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01", // trace id too long
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01", // parent id too short
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", // flags too short
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // trailing dash
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", // not hex
                "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01", // wrong separator
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ", // trailing space
                " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0", // leading space
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has 4 fields
            })
    void invalidTraceparentsAreRefused(String value) {
        assertThat(TraceContext.isValid(value)).isFalse();
        assertThat(TraceContext.traceId(value)).isNull();
    }

    @Test
    void traceStateIsPassedOnWhenPrintableAndShortEnough() {
        assertThat(TraceContext.isPassableState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"))
                .isTrue();
        assertThat(TraceContext.isPassableState("a=" + "x".repeat(TraceContext.MAX_TRACESTATE - 2)))
                .isTrue();

        assertThat(TraceContext.isPassableState(null)).isFalse();
        assertThat(TraceContext.isPassableState(" ")).isFalse();
        assertThat(TraceContext.isPassableState("a=" + "x".repeat(TraceContext.MAX_TRACESTATE - 1)))
                .isFalse();
        assertThat(TraceContext.isPassableState("a=b\nc=d")).isFalse();
        assertThat(TraceContext.isPassableState("a=é")).isFalse();
    }
}
