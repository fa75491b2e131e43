package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindingSpecTest {

    private static List<Violation> violations(BindingSpec spec) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, spec::validate);
        assertThat(e).as("validate() should refuse %s", spec).isNotNull();
        return e.violations();
    }

    @Test
    void queueBoundToExchangeIsValid() {
        assertThatCode(new BindingSpec("orders", "events", "order.*", Map.of())::validate)
                .doesNotThrowAnyException();
    }

    @Test
    void missingRoutingKeyBecomesEmpty() {
        BindingSpec s = new BindingSpec("orders", "events", null, null);

        assertThat(s.routingKey()).isEmpty();
        assertThat(s.arguments()).isEmpty();
        assertThatCode(s::validate).doesNotThrowAnyException();
    }

    @Test
    void bindingToBrokerExchangesIsAllowed() {
        // Binding refers to existing resources: the reserved amq. names may be used.
        assertThatCode(new BindingSpec("amq.gen-abc", "amq.topic", "#", Map.of())::validate)
                .doesNotThrowAnyException();
    }

    @Test
    void defaultExchangeCannotBeBound() {
        assertThat(violations(new BindingSpec("orders", "", "orders", Map.of())))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("exchange");
                    assertThat(v.message()).contains("default exchange");
                });
    }

    @Test
    void missingQueueAndExchangeAreRefused() {
        assertThat(violations(new BindingSpec(null, null, "k", Map.of())))
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("queue", "exchange");
        assertThat(violations(new BindingSpec("", "events", "k", Map.of())))
                .containsExactly(new Violation("queue", "is required and must not be empty"));
    }

    @Test
    void overlongNamesAndRoutingKeyAreRefused() {
        assertThat(violations(new BindingSpec("q".repeat(256), "e".repeat(256), "k".repeat(256), Map.of())))
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("queue", "exchange", "routingKey");
    }

    @Test
    void routingKeyLengthCountsUtf8Bytes() {
        assertThat(violations(new BindingSpec("q", "e", "ß".repeat(128), Map.of())))
                .extracting(Violation::field)
                .containsExactly("routingKey");
        assertThatCode(new BindingSpec("q", "e", "ß".repeat(127), Map.of())::validate)
                .doesNotThrowAnyException();
    }

    @Test
    void argumentsAreCheckedWithTheirPath() {
        assertThat(violations(
                        new BindingSpec("q", "h", "", Map.of("x-match", "all", "format", new StringBuilder("pdf")))))
                .containsExactly(new Violation("arguments.format", "has an unsupported value type StringBuilder"));
    }

    @Test
    void headersBindingArgumentsAreAccepted() {
        assertThatCode(new BindingSpec("q", "h", "", Map.of("x-match", "any", "format", "pdf", "size", 3L))::validate)
                .doesNotThrowAnyException();
    }
}
