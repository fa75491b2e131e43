package io.queueservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigReaderTest {

    private static ConfigException problemsOf(ConfigReader reader) {
        ConfigException e = catchThrowableOfType(ConfigException.class, reader::validate);
        assertThat(e).as("validate() should have thrown").isNotNull();
        return e;
    }

    @Test
    void unsetValueGivesTheDefault() {
        ConfigReader r = new ConfigReader(Map.of());

        assertThat(r.integer("N", 7, 0, 10)).isEqualTo(7);
        assertThat(r.longValue("L", 7L, 0, 10)).isEqualTo(7L);
        assertThat(r.bool("B", true)).isTrue();
        assertThat(r.string("S", "dflt")).isEqualTo("dflt");
        assertThat(r.oneOf("O", "b", Set.of("a", "b"))).isEqualTo("b");
        assertThatCode(r::validate).doesNotThrowAnyException();
    }

    @Test
    void namesReadListsEveryVariableAskedForSetOrNot() {
        ConfigReader r = new ConfigReader(Map.of("N", "3", "IGNORED", "x"));

        r.integer("N", 7, 0, 10);
        r.bool("B", true);
        r.readableFile("F");
        r.string("S", "dflt");

        assertThat(r.namesRead()).containsExactly("N", "B", "F", "S");
    }

    @Test
    void blankValueCountsAsUnset() {
        ConfigReader r = new ConfigReader(Map.of("N", "  ", "S", ""));

        assertThat(r.integer("N", 7, 0, 10)).isEqualTo(7);
        assertThat(r.string("S", "dflt")).isEqualTo("dflt");
        assertThat(r.raw("S")).isEmpty();
        assertThatCode(r::validate).doesNotThrowAnyException();
    }

    @Test
    void valuesAreTrimmed() {
        ConfigReader r = new ConfigReader(Map.of("N", " 8 ", "S", "  text "));

        assertThat(r.integer("N", 7, 0, 10)).isEqualTo(8);
        assertThat(r.string("S", "dflt")).isEqualTo("text");
    }

    @Test
    void integerWithinRangeIsRead() {
        ConfigReader r = new ConfigReader(Map.of("LOW", "0", "HIGH", "10", "NEG", "-3"));

        assertThat(r.integer("LOW", 5, 0, 10)).isZero();
        assertThat(r.integer("HIGH", 5, 0, 10)).isEqualTo(10);
        assertThat(r.integer("NEG", 5, -5, 10)).isEqualTo(-3);
        assertThatCode(r::validate).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"11", "-1", "99999999999999"})
    void integerOutOfRangeNamesTheVariableTheRangeAndTheValue(String value) {
        ConfigReader r = new ConfigReader(Map.of("WORKERS", value));

        assertThat(r.integer("WORKERS", 5, 0, 10))
                .as("falls back to the default")
                .isEqualTo(5);

        assertThat(problemsOf(r).problems())
                .singleElement(STRING)
                .startsWith("WORKERS ")
                .contains("between 0 and 10")
                .contains("'" + value + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ten", "1.5", "0x10", "5ms", "99999999999999999999"})
    void nonIntegerNamesTheVariableAndTheValue(String value) {
        ConfigReader r = new ConfigReader(Map.of("WORKERS", value));

        r.integer("WORKERS", 5, 0, 10);

        assertThat(problemsOf(r).problems())
                .singleElement(STRING)
                .startsWith("WORKERS ")
                .contains("integer")
                .contains("'" + value + "'");
    }

    @Test
    void longValueOutOfRangeIsReported() {
        ConfigReader r = new ConfigReader(Map.of("TIMEOUT", "600001"));

        assertThat(r.longValue("TIMEOUT", 5000, 100, 600_000)).isEqualTo(5000);

        assertThat(problemsOf(r).problems())
                .singleElement(STRING)
                .startsWith("TIMEOUT ")
                .contains("'600001'");
    }

    @ParameterizedTest
    @CsvSource({
        "true,true",
        "TRUE,true",
        "1,true",
        "yes,true",
        "Yes,true",
        "false,false",
        "False,false",
        "0,false",
        "no,false",
        "NO,false"
    })
    void boolAcceptsTheUsualSpellings(String value, boolean expected) {
        ConfigReader r = new ConfigReader(Map.of("FLAG", value));

        assertThat(r.bool("FLAG", !expected)).isEqualTo(expected);
        assertThatCode(r::validate).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"maybe", "2", "y", "enabled", "truee"})
    void boolRefusesOtherValues(String value) {
        ConfigReader r = new ConfigReader(Map.of("FLAG", value));

        assertThat(r.bool("FLAG", false)).isFalse();

        assertThat(problemsOf(r).problems())
                .singleElement(STRING)
                .startsWith("FLAG ")
                .contains("true or false")
                .contains("'" + value + "'");
    }

    @Test
    void oneOfAcceptsAnAllowedValueCaseInsensitively() {
        ConfigReader r = new ConfigReader(Map.of("LEVEL", "WARN"));

        assertThat(r.oneOf("LEVEL", "info", Set.of("info", "warn"))).isEqualTo("warn");
        assertThatCode(r::validate).doesNotThrowAnyException();
    }

    @Test
    void oneOfRefusesOtherValuesListingTheAllowedOnes() {
        ConfigReader r = new ConfigReader(Map.of("LEVEL", "verbose"));

        assertThat(r.oneOf("LEVEL", "info", Set.of("info", "warn", "debug"))).isEqualTo("info");

        assertThat(problemsOf(r).problems())
                .singleElement(STRING)
                .startsWith("LEVEL ")
                .contains("[debug, info, warn]")
                .contains("'verbose'");
    }

    @Test
    void oneOfReportsTheValueAsWritten() {
        ConfigReader r = new ConfigReader(Map.of("LEVEL", "VERBOSE"));
        r.oneOf("LEVEL", "info", Set.of("info", "warn"));

        assertThat(problemsOf(r).problems()).singleElement(STRING).contains("'VERBOSE'");
    }

    @Test
    void readableFileIsEmptyWhenUnset() {
        ConfigReader r = new ConfigReader(Map.of());

        assertThat(r.readableFile("CA")).isEmpty();
        assertThatCode(r::validate).doesNotThrowAnyException();
    }

    @Test
    void readableFileIsReturnedWhenItExists(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ca.pem"), "pem");
        ConfigReader r = new ConfigReader(Map.of("CA", file.toString()));

        assertThat(r.readableFile("CA")).contains(file);
        assertThatCode(r::validate).doesNotThrowAnyException();
    }

    @Test
    void readableFileThatDoesNotExistIsReported(@TempDir Path dir) {
        String missing = dir.resolve("missing.pem").toString();
        ConfigReader r = new ConfigReader(Map.of("CA", missing));

        r.readableFile("CA");

        assertThat(problemsOf(r).problems())
                .singleElement(STRING)
                .startsWith("CA ")
                .contains("'" + missing + "'");
    }

    @Test
    void readableFileThatIsADirectoryIsReported(@TempDir Path dir) {
        ConfigReader r = new ConfigReader(Map.of("CA", dir.toString()));

        r.readableFile("CA");

        assertThat(problemsOf(r).problems())
                .singleElement(STRING)
                .startsWith("CA ")
                .contains(dir.toString());
    }

    @Test
    void validateReportsEveryProblemAtOnce(@TempDir Path dir) {
        ConfigReader r = new ConfigReader(Map.of(
                "A", "abc",
                "B", "-5",
                "C", "perhaps",
                "D", "purple",
                "E", dir.resolve("nope").toString()));
        r.integer("A", 1, 0, 10);
        r.longValue("B", 1, 0, 10);
        r.bool("C", false);
        r.oneOf("D", "red", Set.of("red", "green"));
        r.readableFile("E");
        r.problem("F", "is custom");

        ConfigException e = problemsOf(r);

        assertThat(e.problems()).hasSize(6);
        assertThat(e.problems()).extracting(p -> p.substring(0, 2)).containsExactly("A ", "B ", "C ", "D ", "E ", "F ");
        assertThat(e.getMessage()).contains("'abc'", "'-5'", "'perhaps'", "'purple'", "nope", "F is custom");
    }

    @Test
    void validatePassesWhenNothingIsWrong() {
        ConfigReader r = new ConfigReader(Map.of("A", "3"));
        r.integer("A", 1, 0, 10);

        assertThatCode(r::validate).doesNotThrowAnyException();
    }
}
