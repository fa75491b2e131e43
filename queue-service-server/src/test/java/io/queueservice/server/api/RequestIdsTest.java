package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which X-Request-Id values are kept and which are replaced by a generated id. */
class RequestIdsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "abc",
                "7f1c2e9a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
                "req 42/retry=1;x~!",
                "https://example.com/a?b=c#d",
            })
    void saneIdsAreKept(String id) {
        assertThat(RequestIds.isSane(id)).isTrue();
        assertThat(RequestIds.idFor(id)).isEqualTo(id);
    }

    @Test
    void anIdOfExactlyTheLimitIsKept() {
        String id = "x".repeat(RequestIds.MAX_LENGTH);

        assertThat(RequestIds.idFor(id)).isEqualTo(id);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "tab\there", "line\nbreak", "nul\0", "del\u007f", "café", "emoji 😀"})
    void insaneIdsAreReplacedByAGeneratedUuid(String id) {
        assertThat(RequestIds.isSane(id)).isFalse();
        assertGenerated(RequestIds.idFor(id));
    }

    @Test
    void anIdLongerThanTheLimitIsReplaced() {
        String id = "x".repeat(RequestIds.MAX_LENGTH + 1);

        assertThat(RequestIds.isSane(id)).isFalse();
        assertGenerated(RequestIds.idFor(id));
    }

    @Test
    void generatedIdsDiffer() {
        assertThat(RequestIds.idFor(null)).isNotEqualTo(RequestIds.idFor(null));
    }

    private static void assertGenerated(String id) {
        assertThat(id).isNotNull();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(UUID.fromString(id).version()).isEqualTo(4);
    }
}
