package io.queueservice.server;

import static io.queueservice.server.MonitoringFiles.ALERTS;
import static io.queueservice.server.MonitoringFiles.PROMETHEUS_DIR;
import static io.queueservice.server.MonitoringFiles.alertBlocks;
import static io.queueservice.server.MonitoringFiles.dashboard;
import static io.queueservice.server.MonitoringFiles.groupingLabels;
import static io.queueservice.server.MonitoringFiles.metricsIn;
import static io.queueservice.server.MonitoringFiles.panels;
import static io.queueservice.server.MonitoringFiles.read;
import static io.queueservice.server.MonitoringFiles.variableQuery;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files of the repository (monitoring/), read as text: every alert has a {@code for}, a
 * severity, a summary and what to do, and a unit test where it fires and one where it does not; every
 * panel of the Grafana dashboard has a Prometheus query. Neither a broker nor {@code promtool} is needed:
 * {@link MonitoringPromtoolIT} runs {@code promtool} on the same files, and that the metrics they query
 * really exist is {@link MonitoringMetricsIT}'s job.
 */
class MonitoringFilesTest {
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
}
