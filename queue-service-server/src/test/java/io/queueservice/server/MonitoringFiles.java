package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitoring files of the repository (monitoring/), read for the tests: the alert rules and their
 * expressions, the dashboard's panels, queries and variables, and the metric names and labels a PromQL
 * expression uses. Shared by {@link MonitoringFilesTest}, {@link MonitoringPromtoolIT} and {@link
 * MonitoringMetricsIT}.
 */
final class MonitoringFiles {
    static final Path ROOT = repoRoot();
    static final Path PROMETHEUS_DIR = ROOT.resolve("monitoring/prometheus");
    static final Path ALERTS = PROMETHEUS_DIR.resolve("alerts.yml");
    static final Path DASHBOARD = ROOT.resolve("monitoring/grafana/dashboards/queue-service.json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private MonitoringFiles() {}

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

    static String variableQuery(JsonNode variable) {
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
