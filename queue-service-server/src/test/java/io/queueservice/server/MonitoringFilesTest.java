package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring files of the repository (monitoring/): the Prometheus alert rules and configuration pass
 * {@code promtool check}, the rules' unit tests ({@code alerts_test.yml}) pass {@code promtool test rules}
 * and cover every alert both ways, and every panel of the Grafana dashboard queries Prometheus with valid
 * PromQL. No broker needed; {@code promtool} is (scripts/test.sh installs it). That the metrics these
 * files query really exist is {@link MonitoringMetricsIT}'s job.
 *
 * <p>The static helpers (expressions of the files, metric names in PromQL) serve that test too.
 */
class MonitoringFilesTest {
    static final Path ROOT = repoRoot();
    static final Path PROMETHEUS_DIR = ROOT.resolve("monitoring/prometheus");
    static final Path ALERTS = PROMETHEUS_DIR.resolve("alerts.yml");
    static final Path DASHBOARD = ROOT.resolve("monitoring/grafana/dashboards/queue-service.json");

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

    @Test
    void everyAlertHasForSeveritySummaryAndWhatToDo() {
        Map<String, String> alerts = alertBlocks();
        assertThat(alerts).isNotEmpty();
        alerts.forEach((name, block) -> {
            assertThat(block).as("for: of alert %s", name).containsPattern("\\n\\s+for: \\d+[smh]\\n");
            assertThat(block)
                    .as("severity of alert %s", name)
                    .containsPattern("\\n\\s+severity: (critical|warning)\\n");
            assertThat(block).as("summary of alert %s", name).containsPattern("\\n\\s+summary: \\S");
            assertThat(block).as("description of alert %s", name).containsPattern("\\n\\s+description: \\S");
            assertThat(block)
                    .as("what to do, in the description of alert %s", name)
                    .contains("What to do:");
        });
    }

    /** The job the rules select ({@code up{job="..."}}) is the one prometheus.yml scrapes. */
    @Test
    void alertsSelectTheScrapedJob() {
        Matcher job = Pattern.compile("job=\"([^\"]+)\"").matcher(read(ALERTS));
        assertThat(job.find()).as("a job selector in alerts.yml").isTrue();
        assertThat(read(PROMETHEUS_DIR.resolve("prometheus.yml"))).contains("job_name: " + job.group(1) + "\n");
    }

    /** Every alert has a case where it must fire and one where it must not, in alerts_test.yml. */
    @Test
    void everyAlertIsUnitTestedBothWays() {
        String tests = read(PROMETHEUS_DIR.resolve("alerts_test.yml"));
        Set<String> fires = new TreeSet<>();
        Set<String> quiet = new TreeSet<>();
        Matcher m = Pattern.compile("alertname:\\s*(\\S+)\\s*\\n\\s*exp_alerts:\\s*(\\[\\])?\\s*\\n")
                .matcher(tests);
        while (m.find()) {
            (m.group(2) != null ? quiet : fires).add(m.group(1));
        }
        Set<String> names = alertBlocks().keySet();
        assertThat(fires).as("alerts with a case where they fire").containsAll(names);
        assertThat(quiet).as("alerts with a case where they do not fire").containsAll(names);
        assertThat(names).as("alerts tested that alerts.yml does not have").containsAll(fires);
    }

    @Test
    void everyDashboardPanelHasAPrometheusQuery() {
        JsonNode dashboard = dashboard();
        List<JsonNode> panels = panels(dashboard);
        assertThat(panels).hasSizeGreaterThanOrEqualTo(15);
        for (JsonNode panel : panels) {
            String title = panel.path("title").asText();
            assertThat(title).as("a panel's title").isNotBlank();
            List<String> exprs = new ArrayList<>();
            panel.path("targets").forEach(t -> {
                if (!t.path("expr").asText().isBlank()) {
                    exprs.add(t.path("expr").asText());
                }
            });
            assertThat(exprs).as("queries of panel '%s'", title).isNotEmpty();
            assertThat(panel.path("datasource").path("uid").asText())
                    .as("data source of panel '%s'", title)
                    .isEqualTo("${DS_PROMETHEUS}");
        }
        Map<String, JsonNode> variables = new LinkedHashMap<>();
        dashboard
                .path("templating")
                .path("list")
                .forEach(v -> variables.put(v.path("name").asText(), v));
        assertThat(variables).containsKeys("DS_PROMETHEUS", "queue", "exchange");
        assertThat(variables.get("DS_PROMETHEUS").path("type").asText()).isEqualTo("datasource");
        assertThat(variables.get("DS_PROMETHEUS").path("query").asText()).isEqualTo("prometheus");
        assertThat(variableQuery(variables.get("queue")))
                .startsWith("label_values(")
                .endsWith(", queue)");
        assertThat(variableQuery(variables.get("exchange")))
                .startsWith("label_values(")
                .endsWith(", exchange)");
        assertThat(dashboard.path("uid").asText()).isEqualTo("queue-service");
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
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

    @Test
    void metricNamesAreFoundInPromQL() {
        String expr = "sum by (queue, le) (rate(a_seconds_bucket{queue=~\"x|y\", b!=\"c{d}\"}[$__rate_interval]))"
                + " / on (queue) group_left() (b_total or vector(0)) * 60 > bool 1e3"
                + " and label_replace(delta(c_count{queue=~`.+\\.dlq`}[15m] offset 5m), \"q\", \"$1\", \"queue\", `(.+)`)"
                + " unless max_over_time(d[2m:30s]) == inf";
        assertThat(metricsIn(expr).keySet()).containsExactlyInAnyOrder("a_seconds_bucket", "b_total", "c_count", "d");
        assertThat(metricsIn(expr).get("a_seconds_bucket")).containsExactlyInAnyOrder("queue", "b");
        assertThat(metricsIn(expr).get("c_count")).containsExactly("queue");
        assertThat(groupingLabels(expr)).containsExactlyInAnyOrder("queue", "le");
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers, also used by MonitoringMetricsIT.

    /** The repository's root: the parent of this module's directory (where Maven runs the tests). */
    static Path repoRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .toAbsolutePath()
                .normalize();
        Path root = module.getParent();
        if (root == null || !Files.isDirectory(root.resolve("monitoring"))) {
            throw new IllegalStateException("no monitoring/ directory next to module " + module
                    + ": run the tests from the repository (./scripts/test.sh or mvn verify)");
        }
        return root;
    }

    /** Runs promtool in {@code dir}; fails, with its output, unless it exits with 0. */
    static String promtool(Path dir, String... args) {
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

    /** Each alert of alerts.yml, by name: the text of its rule. */
    static Map<String, String> alertBlocks() {
        String text = read(ALERTS);
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*- alert:\\s*(\\S+)\\s*$").matcher(text);
        List<Integer> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (m.find()) {
            starts.add(m.start());
            names.add(m.group(1));
        }
        for (int i = 0; i < starts.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1) : text.length();
            blocks.put(names.get(i), text.substring(starts.get(i), end) + "\n");
        }
        return blocks;
    }

    /**
     * The {@code expr} of each rule of alerts.yml, read line by line (no YAML library in this module): a
     * value on the key's line, or a block scalar ({@code |}, {@code >}, ...) on the more indented lines after it.
     */
    static List<String> alertExpressions() {
        List<String> lines = read(ALERTS).lines().toList();
        List<String> exprs = new ArrayList<>();
        Pattern key = Pattern.compile("^(\\s*)expr:\\s*(.*?)\\s*$");
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = key.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            String value = m.group(2);
            if (value.matches("[|>][-+]?")) {
                int indent = m.group(1).length();
                StringBuilder block = new StringBuilder();
                while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indentOf(lines.get(i + 1)) > indent)) {
                    block.append(lines.get(++i).strip()).append('\n');
                }
                value = block.toString().strip();
            } else if (value.length() >= 2
                    && (value.startsWith("'") && value.endsWith("'")
                            || value.startsWith("\"") && value.endsWith("\""))) {
                value = value.substring(1, value.length() - 1);
            }
            exprs.add(value);
        }
        assertThat(exprs)
                .as("expressions read from %s", ALERTS)
                .hasSize(alertBlocks().size());
        return exprs;
    }

    static JsonNode dashboard() {
        try {
            return JSON.readTree(DASHBOARD.toFile());
        } catch (IOException e) {
            throw new AssertionError(DASHBOARD + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The dashboard's panels, those inside collapsed rows included, rows themselves excluded. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            if (p.path("type").asText().equals("row")) {
                p.path("panels").forEach(panels::add);
            } else {
                panels.add(p);
            }
        }
        return panels;
    }

    /** The PromQL of every target of every panel of the dashboard. */
    static List<String> dashboardExpressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels(dashboard())) {
            panel.path("targets").forEach(t -> {
                if (!t.path("expr").asText().isBlank()) {
                    exprs.add(t.path("expr").asText());
                }
            });
        }
        return exprs;
    }

    /** The dashboard's template variable queries, such as {@code label_values(queue_message_count, queue)}. */
    static List<String> dashboardVariableQueries() {
        List<String> queries = new ArrayList<>();
        dashboard().path("templating").path("list").forEach(v -> {
            if (v.path("type").asText().equals("query")) {
                queries.add(variableQuery(v));
            }
        });
        return queries;
    }

    private static String variableQuery(JsonNode variable) {
        JsonNode q = variable.path("query");
        return q.isTextual() ? q.asText() : q.path("query").asText();
    }

    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "offset",
            "bool",
            "inf",
            "nan",
            "atan2");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][\\w:]*)?\\s*\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]\\w*)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern NAME = Pattern.compile("(?<![\\w:$.])([a-zA-Z_:][\\w:]*+)(?!\\s*\\()");

    /**
     * The metric names a PromQL expression reads, each with the label names its selectors match on. A crude
     * parse, enough for our files: string literals, ranges and grouping clauses are removed first, then a
     * name is an identifier that is neither a keyword nor followed by {@code (} (a function or an
     * aggregation).
     */
    static Map<String, Set<String>> metricsIn(String expr) {
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = RANGE.matcher(s).replaceAll(" ");
        Matcher sel = SELECTOR.matcher(s);
        StringBuilder rest = new StringBuilder();
        while (sel.find()) {
            String name = sel.group(1);
            if (name != null && !KEYWORDS.contains(name)) {
                Set<String> labels = metrics.computeIfAbsent(name, k -> new LinkedHashSet<>());
                Matcher lm = MATCHER.matcher(sel.group(2));
                while (lm.find()) {
                    labels.add(lm.group(1));
                }
            }
            sel.appendReplacement(rest, " ");
        }
        sel.appendTail(rest);
        s = GROUPING.matcher(rest).replaceAll(" ");
        Matcher nm = NAME.matcher(s);
        while (nm.find()) {
            if (!KEYWORDS.contains(nm.group(1))) {
                metrics.computeIfAbsent(nm.group(1), k -> new LinkedHashSet<>());
            }
        }
        return metrics;
    }

    /** The label names of the grouping clauses ({@code by}, {@code on}, ...) of a PromQL expression. */
    static Set<String> groupingLabels(String expr) {
        Set<String> labels = new LinkedHashSet<>();
        Matcher m = GROUPING.matcher(STRING.matcher(expr).replaceAll("\"\""));
        while (m.find()) {
            for (String l : m.group(2).split(",")) {
                if (!l.isBlank()) {
                    labels.add(l.strip());
                }
            }
        }
        return labels;
    }

    private static int indentOf(String line) {
        return line.length() - line.stripLeading().length();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
