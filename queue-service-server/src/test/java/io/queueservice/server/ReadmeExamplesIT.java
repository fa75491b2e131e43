package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.queueservice.testing.SharedBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation's shell examples, run as a reader would run them: every {@code bash} block of README.md
 * and docs/*.md marked with {@code <!-- readme-test -->} runs with bash against the service started as the
 * quick start runs it (AUTH_MODE=none), on the shared broker. Each must exit 0, and print what the {@code
 * text} block after it shows, if there is one.
 *
 * <p>Only two things change from what the reader runs: {@code http://localhost:3000} becomes the test
 * service's address, and each queue and exchange name a page declares ({@code <!-- readme-test names: hello
 * orders -->}) gets a suffix of its own, in the examples and in their expected output alike, so that runs
 * on the shared broker never meet; everything so named is deleted afterwards.
 *
 * <p>In the expected output, a line {@code ...} stands for any number of lines, {@code ...} inside a line
 * for any text, and a UUID for any UUID (message ids are generated).
 */
class ReadmeExamplesIT {
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private static RunningService service;
    private static final List<String> created = new ArrayList<>();

    @TempDir
    static Path workDir;

    @BeforeAll
    static void start() {
        service = RunningService.start(SharedBroker.url());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try (Connection c = SharedBroker.connect()) {
            for (String name : created) {
                try (Channel ch = c.createChannel()) {
                    ch.queueDelete(name);
                }
                try (Channel ch = c.createChannel()) {
                    ch.exchangeDelete(name);
                }
            }
        } finally {
            service.close();
        }
    }

    @TestFactory
    Stream<DynamicNode> everyMarkedExampleRunsAndPrintsWhatThePageShows() {
        List<DynamicNode> pages = new ArrayList<>();
        for (Path page : MarkdownDocs.pages()) {
            List<MarkdownDocs.Example> examples = MarkdownDocs.examples(page);
            if (examples.isEmpty()) {
                continue;
            }
            Map<String, String> names = uniqueNames(page);
            List<DynamicTest> tests = new ArrayList<>();
            for (MarkdownDocs.Example example : examples) {
                tests.add(DynamicTest.dynamicTest(page + ", line " + example.line(), () -> run(example, names)));
            }
            pages.add(DynamicContainer.dynamicContainer(page.toString(), tests));
        }
        assertThat(pages).as("pages with marked examples").isNotEmpty();
        return pages.stream();
    }

    @Test
    void theReadmesFirstPublishLeavesItsMessageInTheQueue() throws Exception {
        Path readme = Path.of("README.md");
        Map<String, String> names = uniqueNames(readme);
        List<MarkdownDocs.Example> examples = MarkdownDocs.examples(readme);
        assertThat(examples).as("the README's marked examples").isNotEmpty();
        for (MarkdownDocs.Example example : examples) {
            run(example, names);
        }

        // What reached RabbitMQ, read with a plain AMQP client rather than through the service.
        String hello = names.get("hello");
        assertThat(hello)
                .as("the README declares the queue of its first publish, hello")
                .isNotNull();
        try (Connection c = SharedBroker.connect();
                Channel ch = c.createChannel()) {
            GetResponse message = ch.basicGet(hello, true);
            assertThat(message).as("a message in %s", hello).isNotNull();
            assertThat(new String(message.getBody(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"text\": \"Hello, RabbitMQ\"}");
            assertThat(message.getProps().getContentType()).isEqualTo("application/json");
            assertThat(message.getProps().getDeliveryMode()).isEqualTo(2);
        }
    }

    @Test
    void theOutputCheckCanFail() {
        // The examples pass only if their output matches: a check that accepts anything proves nothing.
        assertThat(matches("{\"name\":\"hello\",\"created\":true}", "{\"name\":\"hello\",\"created\":true}"))
                .isTrue();
        assertThat(matches("{\"name\":\"hello\",\"created\":false}", "{\"name\":\"hello\",\"created\":true}"))
                .isFalse();
        assertThat(matches("a\nb\n", "a\n")).isFalse();
        assertThat(matches("a\nb\nc\n", "a\n...\nc\n")).isTrue();
        assertThat(matches(
                        "{\"id\":\"3db487d0-1e7a-4b60-b908-4b058334b12a\"}",
                        "{\"id\":\"c3176df6-b327-4f7d-aa58-83e0d45c4db0\"}"))
                .isTrue();
        assertThat(matches("{\"id\":\"x\",\"n\":1}", "{\"id\":\"...\",\"n\":1}"))
                .isTrue();
        assertThat(matches("{\"id\":\"x\",\"n\":2}", "{\"id\":\"...\",\"n\":1}"))
                .isFalse();
    }

    /**
     * The page's declared names, each with a suffix of its own to this call (so that the page's examples can
     * run more than once in one test run); remembered, to be deleted at the end.
     */
    private static synchronized Map<String, String> uniqueNames(Path page) {
        String suffix = SharedBroker.uniqueName(""); // "-" and 8 hex digits
        Map<String, String> names = new LinkedHashMap<>();
        for (String name : MarkdownDocs.declaredNames(page)) {
            names.put(name, name + suffix);
            if (!created.contains(name + suffix)) {
                created.add(name + suffix);
            }
        }
        return names;
    }

    private static void run(MarkdownDocs.Example example, Map<String, String> names) throws Exception {
        String script =
                rename(example.script(), names).replace("http://localhost:3000", "http://127.0.0.1:" + service.port());
        Path file = Files.writeString(Files.createTempFile(workDir, "example", ".sh"), script);
        Path out = workDir.resolve(file.getFileName() + ".out");
        Path err = workDir.resolve(file.getFileName() + ".err");
        Process p = new ProcessBuilder("bash", "-eo", "pipefail", file.toString())
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(example.file() + ", line " + example.line() + ": did not end within 60 s");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        String where = example.file() + ", line " + example.line();
        assertThat(p.exitValue())
                .as("%s: exit status of%n%s%nstdout:%n%s%nstderr:%n%s", where, script, stdout, stderr)
                .isZero();
        if (example.expected() != null) {
            String expected = rename(example.expected(), names);
            assertThat(matches(stdout, expected))
                    .as("%s: the output%n%s%nis not what the page shows:%n%s", where, stdout, expected)
                    .isTrue();
        }
    }

    /** {@code text} with each declared name replaced, where it stands as a whole name. */
    private static String rename(String text, Map<String, String> names) {
        String result = text;
        for (Map.Entry<String, String> e : names.entrySet()) {
            result = result.replaceAll(
                    "(?<![A-Za-z0-9_.-])" + Pattern.quote(e.getKey()) + "(?![A-Za-z0-9_-])",
                    Matcher.quoteReplacement(e.getValue()));
        }
        return result;
    }

    /** Whether {@code actual} is what {@code expected} shows (see the class comment for its wildcards). */
    static boolean matches(String actual, String expected) {
        StringBuilder regex = new StringBuilder("(?s)");
        for (String line : expected.strip().split("\n", -1)) {
            if (line.strip().equals("...")) {
                regex.append("(?:.*\\n)?");
                continue;
            }
            StringBuilder lineRegex = new StringBuilder();
            String[] parts = line.stripTrailing().split("\\.\\.\\.", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    lineRegex.append("[^\\n]*");
                }
                Matcher m = UUID.matcher(parts[i]);
                int at = 0;
                while (m.find()) {
                    lineRegex.append(Pattern.quote(parts[i].substring(at, m.start())));
                    lineRegex.append(UUID.pattern());
                    at = m.end();
                }
                lineRegex.append(Pattern.quote(parts[i].substring(at)));
            }
            regex.append(lineRegex).append("[ \\t]*\\n");
        }
        String normalized = actual.strip().replace("\r\n", "\n") + "\n";
        return Pattern.compile(regex.toString()).matcher(normalized).matches();
    }
}
