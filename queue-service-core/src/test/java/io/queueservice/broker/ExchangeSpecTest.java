package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ExchangeSpecTest {

    private static ExchangeSpec spec(
            String name, ExchangeType type, String alternateExchange, Map<String, Object> arguments) {
        return new ExchangeSpec(name, type, true, false, false, alternateExchange, arguments);
    }

    private static List<Violation> violations(ExchangeSpec spec) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, spec::validate);
        assertThat(e).as("validate() should refuse %s", spec).isNotNull();
        return e.violations();
    }

    @ParameterizedTest
    @EnumSource(ExchangeType.class)
    void durableExchangeOfEachTypeIsValid(ExchangeType type) {
        ExchangeSpec s = ExchangeSpec.durable("events", type);

        assertThatCode(s::validate).doesNotThrowAnyException();
        assertThat(s.durable()).isTrue();
        assertThat(s.autoDelete()).isFalse();
        assertThat(s.internal()).isFalse();
        assertThat(s.amqpArguments()).isEmpty();
    }

    @Test
    void typesUseTheBrokersNames() {
        assertThat(List.of(ExchangeType.values()))
                .extracting(ExchangeType::amqpName)
                .containsExactly("direct", "fanout", "topic", "headers");
    }

    @Test
    void emptyNameIsRefused() {
        assertThat(violations(ExchangeSpec.durable("", ExchangeType.DIRECT)))
                .extracting(Violation::field)
                .containsExactly("name");
    }

    @Test
    void missingNameIsRefused() {
        assertThat(violations(ExchangeSpec.durable(null, ExchangeType.DIRECT)))
                .extracting(Violation::field)
                .containsExactly("name");
    }

    @Test
    void nameOver255Utf8BytesIsRefused() {
        assertThatCode(ExchangeSpec.durable("x".repeat(255), ExchangeType.TOPIC)::validate)
                .doesNotThrowAnyException();
        assertThat(violations(ExchangeSpec.durable("x".repeat(256), ExchangeType.TOPIC)))
                .extracting(Violation::field)
                .containsExactly("name");
        assertThat(violations(ExchangeSpec.durable("ü".repeat(128), ExchangeType.TOPIC)))
                .singleElement()
                .satisfies(
                        v -> assertThat(v.message()).contains("bytes of UTF-8").contains("256"));
    }

    @Test
    void reservedAmqPrefixIsRefused() {
        assertThat(violations(ExchangeSpec.durable("amq.topic", ExchangeType.TOPIC)))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("name");
                    assertThat(v.message()).contains("reserved");
                });
    }

    @Test
    void missingTypeIsRefusedListingTheTypes() {
        assertThat(violations(ExchangeSpec.durable("events", null)))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("type");
                    assertThat(v.message()).contains("direct", "fanout", "topic", "headers");
                });
    }

    @Test
    void alternateExchangeBecomesItsArgument() {
        ExchangeSpec s = spec("events", ExchangeType.TOPIC, "unrouted", Map.of("x-custom", 1));

        assertThatCode(s::validate).doesNotThrowAnyException();
        assertThat(s.amqpArguments())
                .containsExactlyInAnyOrderEntriesOf(Map.of("alternate-exchange", "unrouted", "x-custom", 1));
    }

    @Test
    void alternateExchangeAndItsArgumentTogetherAreAConflict() {
        assertThat(violations(spec("events", ExchangeType.TOPIC, "unrouted", Map.of("alternate-exchange", "other"))))
                .containsExactly(new Violation(
                        "arguments.alternate-exchange", "conflicts with alternateExchange: set only one"));
    }

    @Test
    void alternateExchangeArgumentAloneIsAccepted() {
        ExchangeSpec s = spec("events", ExchangeType.TOPIC, null, Map.of("alternate-exchange", "unrouted"));

        assertThatCode(s::validate).doesNotThrowAnyException();
        assertThat(s.amqpArguments()).containsExactlyEntriesOf(Map.of("alternate-exchange", "unrouted"));
    }

    @Test
    void overlongAlternateExchangeIsRefused() {
        assertThat(violations(spec("events", ExchangeType.TOPIC, "a".repeat(256), Map.of())))
                .extracting(Violation::field)
                .containsExactly("alternateExchange");
    }

    @Test
    void unsupportedArgumentValueIsRefusedWithItsPath() {
        assertThat(violations(spec("events", ExchangeType.HEADERS, null, Map.of("x-weird", new Object()))))
                .extracting(Violation::field)
                .containsExactly("arguments.x-weird");
    }

    @Test
    void everyViolationIsReportedAtOnce() {
        assertThat(violations(spec("amq.x", null, "a".repeat(300), Map.of("alternate-exchange", "b"))))
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("name", "type", "alternateExchange", "arguments.alternate-exchange");
    }

    @Test
    void theCallersFieldNamesReachTheFieldsAndTheMessages() {
        ExchangeSpec s = spec("amq.x", null, "a".repeat(300), Map.of("alternate-exchange", "b"));
        UnaryOperator<String> jsonPath = f -> f.equals("name") || f.equals("type") ? f : "options." + f;

        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> s.validate(jsonPath));

        assertThat(e.violations())
                .extracting(Violation::field)
                .containsExactlyInAnyOrder(
                        "name", "type", "options.alternateExchange", "options.arguments.alternate-exchange");
        assertThat(e.violations())
                .filteredOn(v -> v.field().equals("options.arguments.alternate-exchange"))
                .singleElement()
                .satisfies(v ->
                        assertThat(v.message()).isEqualTo("conflicts with options.alternateExchange: set only one"));
    }

    @Test
    void nullArgumentsBecomeAnEmptyMap() {
        assertThat(spec("events", ExchangeType.DIRECT, null, null).arguments()).isEmpty();
    }
}
