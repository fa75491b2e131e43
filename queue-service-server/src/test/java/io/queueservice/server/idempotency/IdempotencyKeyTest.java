package io.queueservice.server.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import org.junit.jupiter.api.Test;

class IdempotencyKeyTest {
    @Test
    void aBareOrQuotedKeyIsTheSameKey() {
        assertThat(Idempotency.parseKey("8e03978e-40d5-43e8-bc93-6894a57f9324"))
                .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
        assertThat(Idempotency.parseKey("\"8e03978e-40d5-43e8-bc93-6894a57f9324\""))
                .isEqualTo("8e03978e-40d5-43e8-bc93-6894a57f9324");
        assertThat(Idempotency.parseKey("\"a \\\"quoted\\\" \\\\ key\"")).isEqualTo("a \"quoted\" \\ key");
        assertThat(Idempotency.parseKey("x".repeat(255))).hasSize(255);
        assertThat(Idempotency.parseKey(" ~!#$%&'()*+,-./:;<=>?@[]^_`{|}")).isEqualTo("~!#$%&'()*+,-./:;<=>?@[]^_`{|}");
    }

    @Test
    void anEmptyKeyIsRefusedNamingTheHeader() {
        assertRefused("", "must not be empty");
        assertRefused("   ", "must not be empty");
        assertRefused("\"\"", "must not be empty");
        assertRefused(null, "must not be empty");
    }

    @Test
    void aKeyOver255CharactersIsRefused() {
        assertRefused("k".repeat(256), "at most 255 characters but has 256");
        assertRefused("\"" + "k".repeat(256) + "\"", "at most 255 characters");
    }

    @Test
    void aKeyThatIsNotPrintableAsciiIsRefused() {
        assertRefused("clé", "printable ASCII");
        assertRefused("a\tb", "printable ASCII");
        assertRefused("a\u007fb", "printable ASCII");
    }

    @Test
    void aMalformedQuotedStringIsRefused() {
        assertRefused("\"abc", "without its closing quote");
        assertRefused("\"abc\";x=1", "nothing after its closing quote");
        assertRefused("\"a\\nb\"", "escape");
    }

    private static void assertRefused(String header, String why) {
        assertThatThrownBy(() -> Idempotency.parseKey(header))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).violations())
                        .singleElement()
                        .extracting(Violation::field, v -> v.message().contains(why))
                        .containsExactly("Idempotency-Key", true));
    }
}
