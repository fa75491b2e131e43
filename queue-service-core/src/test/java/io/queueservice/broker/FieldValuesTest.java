package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.queueservice.validation.Violation;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FieldValuesTest {

    private static List<Violation> check(Map<String, Object> table) {
        List<Violation> out = new ArrayList<>();
        FieldValues.checkTable("headers", table, out);
        return out;
    }

    private static Map<String, Object> one(String key, Object value) {
        Map<String, Object> m = new HashMap<>();
        m.put(key, value);
        return m;
    }

    static Stream<Object> allowedValues() {
        return Stream.of(
                "text",
                "",
                1,
                Integer.MIN_VALUE,
                Long.MAX_VALUE,
                1.5d,
                -0.0d,
                true,
                false,
                List.of("a", 1, 2L, 3.0d, false),
                Map.of("nested", "value"),
                List.of(List.of(1), Map.of("k", List.of())));
    }

    @ParameterizedTest
    @MethodSource("allowedValues")
    void allowedValueTypesPass(Object value) {
        assertThat(check(Map.of("k", value))).isEmpty();
    }

    @Test
    void nullValuePasses() {
        assertThat(check(one("k", null))).isEmpty();
    }

    @Test
    void nullTablePasses() {
        List<Violation> out = new ArrayList<>();

        assertThatCode(() -> FieldValues.checkTable("headers", null, out)).doesNotThrowAnyException();
        assertThat(out).isEmpty();
    }

    static Stream<Arguments> refusedValues() {
        return Stream.of(
                Arguments.of(1.5f, "Float"),
                Arguments.of((short) 1, "Short"),
                Arguments.of((byte) 1, "Byte"),
                Arguments.of(new BigDecimal("1.5"), "BigDecimal"),
                Arguments.of(BigInteger.TEN, "BigInteger"),
                Arguments.of(new Date(0), "Date"),
                Arguments.of(new byte[] {1}, "byte[]"),
                Arguments.of(new Object(), "Object"),
                Arguments.of('c', "Character"));
    }

    @ParameterizedTest
    @MethodSource("refusedValues")
    void otherValueTypesAreRefusedNamingTheType(Object value, String typeName) {
        assertThat(check(Map.of("k", value)))
                .containsExactly(new Violation("headers.k", "has an unsupported value type " + typeName));
    }

    @ParameterizedTest
    @MethodSource("nonFinite")
    void nonFiniteDoublesAreRefused(double value) {
        assertThat(check(Map.of("k", value))).extracting(Violation::field).containsExactly("headers.k");
    }

    static Stream<Double> nonFinite() {
        return Stream.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    }

    @Test
    void keyOf255BytesPasses() {
        assertThat(check(Map.of("k".repeat(255), 1))).isEmpty();
    }

    @Test
    void keyOver255BytesIsRefused() {
        String key = "k".repeat(256);

        assertThat(check(Map.of(key, 1))).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("headers." + key);
            assertThat(v.message()).contains("255").contains("256");
        });
    }

    @Test
    void keyLengthCountsUtf8Bytes() {
        assertThat(check(Map.of("ж".repeat(128), 1))).hasSize(1);
    }

    @Test
    void emptyKeyIsRefused() {
        assertThat(check(one("", 1))).containsExactly(new Violation("headers", "keys must not be empty"));
    }

    @Test
    void nullKeyIsRefused() {
        assertThat(check(one(null, 1))).containsExactly(new Violation("headers", "keys must not be empty"));
    }

    @Test
    void nestedValuesAreReportedWithTheirPath() {
        Map<String, Object> table = Map.of(
                "outer", Map.of("inner", Map.of("deep", 1.5f)),
                "list", List.of("ok", new Date(0), List.of(1, new Object())));

        assertThat(check(table))
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("headers.outer.inner.deep", "headers.list[1]", "headers.list[2][1]");
    }

    @Test
    void nestedNullsInListsPass() {
        assertThat(check(Map.of("list", Arrays.asList("a", null, 1)))).isEmpty();
    }

    @Test
    void longNestedKeyIsReportedWithItsPath() {
        String key = "n".repeat(256);

        assertThat(check(Map.of("outer", Map.of(key, 1))))
                .extracting(Violation::field)
                .containsExactly("headers.outer." + key);
    }

    @Test
    void everyBadValueIsReported() {
        Map<String, Object> table = new HashMap<>();
        table.put("a", 1.0f);
        table.put("b", new Date(0));
        table.put("c", "fine");
        table.put("d", Double.NaN);

        assertThat(check(table))
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("headers.a", "headers.b", "headers.d");
    }

    @Test
    void violationsAreAddedToWhatIsAlreadyThere() {
        List<Violation> out = new ArrayList<>(List.of(new Violation("name", "earlier")));

        FieldValues.checkTable("arguments", Map.of("x", 1.0f), out);

        assertThat(out).extracting(Violation::field).containsExactly("name", "arguments.x");
    }

    @Test
    void nestedTableWithNonStringKeyIsReportedNotThrown() {
        List<Violation> out = new ArrayList<>();

        assertThatCode(() -> FieldValues.checkTable("headers", Map.of("outer", Map.of(1, "x")), out))
                .doesNotThrowAnyException();
        assertThat(out).isNotEmpty().allSatisfy(v -> assertThat(v.field()).startsWith("headers.outer"));
    }
}
