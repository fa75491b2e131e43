package io.queueservice.server.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged jar as a user runs it: the built-in templates read from inside the jar, {@code render-email},
 * and a broken template stopping the worker at start-up (exit 2, naming the file) before it touches the
 * broker. No broker is needed: the broker URL points to a closed port.
 */
class EmailJarIT {
    private static final String SIGN_UP = """
            {"exchange": "email", "routingKey": "confirmation",
             "message": {"to": "Zoé <zoe@example.com>", "template": "confirmation", "locale": "fr-CA",
                         "variables": {"userName": "Zoé <b>Müller</b>",
                                       "confirmationUrl": "https://example.com/confirm?token=abc123"}}}
            """;

    @TempDir
    Path dir;

    private record Run(int exit, String stdout, String stderr) {}

    private Run run(Map<String, String> env, String... args) throws Exception {
        Path jar = Path.of("target", "queue-service.jar").toAbsolutePath();
        assertThat(jar)
                .as("built by the package phase before the integration tests")
                .exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(Files.createDirectories(dir.resolve("cwd")).toFile()) // no .env there
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().clear();
        Map<String, String> all = new HashMap<>(Map.of(
                "RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1",
                "AUTH_MODE", "none",
                "SMTP_FROM", "Example Team <no-reply@example.com>",
                "LANG", "C")); // a locale whose default charset is ASCII: the output must still be UTF-8
        all.putAll(env);
        pb.environment().putAll(all);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ended").isTrue();
        return new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void renderEmailPrintsTheHeadersAndBothPartsFromTheTemplatesInTheJar() throws Exception {
        Path message = Files.writeString(dir.resolve("signup.json"), SIGN_UP, StandardCharsets.UTF_8);

        Run r = run(Map.of(), "render-email", message.toString());

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout())
                .contains("From: Example Team <no-reply@example.com>\n")
                .contains("To: Zoé <zoe@example.com>\n")
                .contains("Subject: Confirmation d'inscription\n")
                .contains("Content-Language: fr\n")
                .contains("Content-Type: multipart/alternative;")
                .containsPattern("(?i)Message-ID: <[0-9a-f-]{36}@example\\.com>\n")
                .containsPattern("Date: .+\n")
                .contains("---- text/plain; charset=UTF-8 ----\nBonjour Zoé <b>Müller</b>,\n")
                .contains("---- text/html; charset=UTF-8 ----\n<!DOCTYPE html>\n<html lang=\"fr\">")
                .contains("Bonjour Zoé &lt;b&gt;Müller&lt;/b&gt;,")
                .contains("Merci de vous être inscrit.")
                .doesNotContain(EmailSender.MESSAGE_ID_HEADER);
        assertThat(r.stdout().indexOf("text/plain")).isLessThan(r.stdout().indexOf("text/html"));
    }

    @Test
    void renderEmailSaysWhyAMessageWouldBeDeadLettered() throws Exception {
        Path message = Files.writeString(
                dir.resolve("bad.json"),
                "{\"to\": \"ada@example.com\", \"template\": \"confirmation\", \"variables\": {\"userName\": \"Ada\"}}");

        Run r = run(Map.of(), "render-email", message.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr())
                .contains("the worker would dead-letter this message: invalid email message: template 'confirmation'"
                        + " needs variable 'confirmationUrl' in 'variables', which is missing");
    }

    @Test
    void aBrokenTemplateStopsTheWorkerAtStartUpNamingTheFile() throws Exception {
        Path templates = dir.resolve("templates");
        EmailTemplatesTest.write(
                templates, "confirmation", "fr", "Bienvenue\n", "<p>{{#userName}}Bonjour</p>\n", "{{userName}}");

        Run r = run(Map.of("EMAIL_TEMPLATES_DIR", templates.toString()), "worker", "email");

        assertThat(r.exit()).as(r.stdout() + r.stderr()).isEqualTo(2);
        assertThat(r.stderr())
                .contains("queue-service cannot start")
                .contains("EMAIL_TEMPLATES_DIR has a broken template: " + templates.resolve("confirmation/fr/body.html")
                        + ", line ");
        assertThat(r.stdout() + r.stderr()).doesNotContain("connected to RabbitMQ");
    }
}
