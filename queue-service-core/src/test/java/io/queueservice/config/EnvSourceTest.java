package io.queueservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvSourceTest {
    @TempDir
    Path dir;

    private Path dotenv(String content) throws Exception {
        return Files.writeString(dir.resolve(".env"), content);
    }

    @Test
    void dotenvFileIsRead() throws Exception {
        Path file = dotenv("PORT=4000\nLOG_LEVEL=debug\n");

        assertThat(EnvSource.load(file, Map.of())).containsEntry("PORT", "4000").containsEntry("LOG_LEVEL", "debug");
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        Path file = dotenv("PORT=4000\nLOG_LEVEL=debug\n");

        Map<String, String> merged = EnvSource.load(file, Map.of("PORT", "5000", "HOST", "127.0.0.1"));

        assertThat(merged)
                .containsEntry("PORT", "5000")
                .containsEntry("LOG_LEVEL", "debug")
                .containsEntry("HOST", "127.0.0.1");
    }

    @Test
    void missingFileIsFine() {
        Map<String, String> merged = EnvSource.load(dir.resolve("does-not-exist.env"), Map.of("PORT", "5000"));

        assertThat(merged).containsExactlyEntriesOf(Map.of("PORT", "5000"));
    }

    @Test
    void doubleQuotedValuesLoseTheirQuotes() throws Exception {
        Path file = dotenv("""
                DOUBLE="value with spaces"
                URL="amqp://app:p#w@h1:5672/%2F"
                """);

        assertThat(EnvSource.load(file, Map.of()))
                .containsEntry("DOUBLE", "value with spaces")
                .containsEntry("URL", "amqp://app:p#w@h1:5672/%2F");
    }

    @Test
    void crlfLineEndsAreTolerated() throws Exception {
        Path file = dotenv("PORT=4000\r\nHOST=127.0.0.1\r\n");

        assertThat(EnvSource.load(file, Map.of())).containsEntry("PORT", "4000").containsEntry("HOST", "127.0.0.1");
    }

    @Test
    void malformedFileIsAConfigExceptionNamingTheFile() throws Exception {
        Path file = dotenv("PORT 4000\n");

        assertThatThrownBy(() -> EnvSource.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void malformedLineNeverEchoesItsSecret() throws Exception {
        Path file = dotenv("RABBITMQ_URL amqp://app:s3cr3t-pw@h1\n");

        assertThatThrownBy(() -> EnvSource.load(file, Map.of()))
                .isInstanceOf(ConfigException.class)
                .message()
                .doesNotContain("s3cr3t-pw");
    }

    /** scripts/lib.sh (load_dotenv) accepts "export KEY=value", so the same .env must work without the script. */
    @Test
    void exportPrefixIsAccepted() throws Exception {
        Path file = dotenv("export PORT=4000\n");

        assertThat(EnvSource.load(file, Map.of())).containsEntry("PORT", "4000");
    }

    /** scripts/lib.sh (load_dotenv) strips single quotes too, so the same .env must mean the same thing here. */
    @Test
    void singleQuotedValuesLoseTheirQuotes() throws Exception {
        Path file = dotenv("SINGLE='single quoted'\n");

        assertThat(EnvSource.load(file, Map.of())).containsEntry("SINGLE", "single quoted");
    }

    @Test
    void commentsAndBlankLinesAreIgnored() throws Exception {
        Path file = dotenv("# the broker\n\nRABBITMQ_URL=amqp://h1\n   \n# PORT=1\n");

        assertThat(EnvSource.load(file, Map.of())).containsExactlyEntriesOf(Map.of("RABBITMQ_URL", "amqp://h1"));
    }

    @Test
    void onlyVariablesOfTheFileAndTheGivenEnvironmentAreReturned() throws Exception {
        Path file = dotenv("A=1\n");

        // The real process environment (PATH, HOME, ...) is not mixed in: the caller passes it.
        assertThat(EnvSource.load(file, Map.of("B", "2")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("A", "1", "B", "2"));
    }

    @Test
    void fileNamedOtherThanDotenvIsRead() throws Exception {
        Path file = Files.writeString(dir.resolve("service.env"), "PORT=4100\n");

        assertThat(EnvSource.load(file, Map.of())).containsEntry("PORT", "4100");
    }
}
