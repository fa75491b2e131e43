package io.queueservice.server;

import static io.queueservice.server.MonitoringFiles.PROMETHEUS_DIR;
import static io.queueservice.server.MonitoringFiles.dashboardExpressions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring files pass Prometheus's own checker: the alert rules and configuration pass {@code
 * promtool check}, the rules' unit tests ({@code alerts_test.yml}) pass {@code promtool test rules}, and
 * every query of the Grafana dashboard is PromQL that promtool accepts. An integration test because it
 * needs {@code promtool} on PATH (scripts/test.sh installs it); no broker.
 */
class MonitoringPromtoolIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void alertRulesPassPromtoolCheck() {
        promtool(PROMETHEUS_DIR, "check", "rules", "alerts.yml");
    }

    @Test
    void prometheusConfigPassesPromtoolCheck() {
        promtool(PROMETHEUS_DIR, "check", "config", "prometheus.yml");
    }

    @Test
    void alertRuleUnitTestsPass() {
        promtool(PROMETHEUS_DIR, "test", "rules", "alerts_test.yml");
    }

    /** The dashboard's queries, with its variables replaced by values, are PromQL that promtool accepts. */
    @Test
    void dashboardQueriesAreValidPromQL(@TempDir Path dir) throws IOException {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String expr : dashboardExpressions()) {
            String concrete = expr.replaceAll("\\$__\\w+", "5m").replaceAll("\\$\\{?\\w+(:\\w+)?}?", ".*");
            rules.append("      - record: dashboard_query_")
                    .append(++i)
                    .append("\n        expr: ")
                    .append(JSON.writeValueAsString(concrete)) // a JSON string is a YAML double-quoted one
                    .append('\n');
        }
        Files.writeString(dir.resolve("dashboard.yml"), rules);
        promtool(dir, "check", "rules", "dashboard.yml");
    }

    /** Runs promtool in {@code dir}; fails, with its output, unless it exits with 0. */
    private static String promtool(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new AssertionError(
                    "promtool is not installed (" + e.getMessage() + "); the tests need it to check the alert"
                            + " rules. ./scripts/test.sh installs it (as root, with apt-get); otherwise install it"
                            + " with: sudo apt-get update && sudo apt-get install -y --no-install-recommends"
                            + " prometheus (Debian/Ubuntu), or put the promtool of a Prometheus release"
                            + " (https://prometheus.io/download/) on PATH.",
                    e);
        }
        try {
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes(); // until promtool exits and closes it
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("promtool " + String.join(" ", args) + " did not finish within 60 s");
            }
            String output = new String(out, StandardCharsets.UTF_8);
            assertThat(process.exitValue())
                    .as("exit code of `promtool %s` in %s; its output:%n%s", String.join(" ", args), dir, output)
                    .isZero();
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
