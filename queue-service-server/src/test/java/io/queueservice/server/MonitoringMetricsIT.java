package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.sun.net.httpserver.HttpServer;
import io.queueservice.server.email.EmailWorker;
import io.queueservice.testing.FreePorts;
import io.queueservice.testing.PrivateRabbitNode;
import io.queueservice.testing.SharedBroker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Every metric the Grafana dashboard and the Prometheus alert rules query (monitoring/) is one the service
 * really exports: the service runs in mode {@code all} (API and email worker) on the shared broker, gets a
 * little of every kind of traffic, and its /metrics must then hold each metric name those files use, with
 * the labels their selectors and groupings use.
 *
 * <p>The traffic: a queue declared through the API (so its depth is reported), a publish to it, a publish
 * to an exchange that does not exist, a request on a path no route serves, and one confirmation email whose
 * SMTP server is not there (a closed port): the worker fails, retries once and dead-letters it. That
 * message is taken out of {@code email_confirmation.dlq} afterwards; other messages there are left alone.
 * Timers and the counters of labels not known in advance only appear once used, hence the traffic; {@code up}
 * comes from Prometheus itself.
 */
class MonitoringMetricsIT {
    /** Series Prometheus makes itself, and labels it adds to every scraped series. */
    private static final Set<String> FROM_PROMETHEUS = Set.of("up");

    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

    @Test
    void everyMetricTheDashboardAndTheAlertsQueryIsExported() throws Exception {
        // Where each metric is used, and with which labels, from the files.
        Map<String, Query> queries = new LinkedHashMap<>();
        MonitoringFiles.alertExpressions().forEach(e -> queries.put("alerts.yml: " + e, Query.of(e)));
        MonitoringFiles.dashboardExpressions().forEach(e -> queries.put("dashboard: " + e, Query.of(e)));
        Pattern labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][\\w:]*)\\s*,\\s*(\\w+)\\s*\\)");
        for (String v : MonitoringFiles.dashboardVariableQueries()) {
            Matcher m = labelValues.matcher(v);
            assertThat(m.matches()).as("dashboard variable query %s", v).isTrue();
            queries.put("dashboard variable: " + v, new Query(Map.of(m.group(1), Set.of(m.group(2))), Set.of()));
        }
        Set<String> used = new TreeSet<>();
        queries.values().forEach(q -> used.addAll(q.metrics().keySet()));
        used.removeAll(FROM_PROMETHEUS);
        assertThat(used).as("metric names found in the monitoring files").hasSizeGreaterThan(20);

        Map<String, String> settings = new HashMap<>();
        settings.put("SMTP_HOST", "127.0.0.1");
        settings.put("SMTP_PORT", Integer.toString(FreePorts.one())); // the SMTP server that is not there
        settings.put("SMTP_TIMEOUT", "2000");
        settings.put("MAX_RETRIES", "1"); // one retry (1 s later), then the dead-letter queue
        settings.put("QUEUE_DEPTH_INTERVAL", "1000");
        settings.put("PUSH_ALLOW_HTTP", "true"); // the push receiver below, on this machine
        settings.put("PUSH_ALLOWED_HOSTS", "127.0.0.1");
        String messageId = uniqueName("monitoring-it");
        String subscription = uniqueName("monitoring-push");
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger pushed = new AtomicInteger();
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            pushed.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (BrokerProbe broker = new BrokerProbe(SharedBroker.url());
                RunningService service =
                        RunningService.start(SharedBroker.url(), settings, Mode.parse(new String[] {"all"}))) {
            try {
                ApiClient api = service.api();
                String queue = broker.queue(uniqueName("monitoring"));
                assertThat(api.post("/api/v1/queues", json(Map.of("name", queue)))
                                .status())
                        .isEqualTo(201);
                assertThat(api.publish(json(Map.of("routingKey", queue, "message", "hello")))
                                .status())
                        .isEqualTo(202);
                assertThat(api.publish(json(
                                        Map.of("exchange", uniqueName("missing"), "routingKey", "k", "message", "x")))
                                .status())
                        .isEqualTo(404);
                assertThat(api.get("/no/such/path").status()).isEqualTo(404);
                // A push subscription delivering one message: the push metrics and the circuit state.
                String pushedQueue = broker.queue(uniqueName("monitoring-pushed"));
                assertThat(api.post("/api/v1/queues", json(Map.of("name", pushedQueue)))
                                .status())
                        .isEqualTo(201);
                assertThat(api.post(
                                        "/api/v1/subscriptions",
                                        json(Map.of(
                                                "name",
                                                subscription,
                                                "queue",
                                                pushedQueue,
                                                "endpoint",
                                                "http://127.0.0.1:"
                                                        + receiver.getAddress().getPort() + "/hook")))
                                .status())
                        .isEqualTo(201);
                assertThat(api.publish(json(Map.of("routingKey", pushedQueue, "message", "pushed")))
                                .status())
                        .isEqualTo(202);
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> pushed.get() >= 1);
                Map<String, Object> email = Map.of(
                        "to", "ada@example.com",
                        "template", "confirmation",
                        "variables", Map.of("userName", "Ada", "confirmationUrl", "https://example.com/c?t=1"));
                assertThat(api.publish(json(Map.of(
                                        "exchange",
                                        EmailWorker.EXCHANGE,
                                        "routingKey",
                                        EmailWorker.ROUTING_KEY,
                                        "message",
                                        email,
                                        "options",
                                        Map.of("messageId", messageId))))
                                .status())
                        .isEqualTo(202);

                // Counters appear as the traffic is handled (the retry comes back after a second), depths
                // within QUEUE_DEPTH_INTERVAL, GC pauses after a collection.
                Map<String, Set<String>> scraped = new TreeMap<>();
                List<String> problems = new ArrayList<>();
                try {
                    Awaitility.await()
                            .atMost(Duration.ofSeconds(30))
                            .pollInterval(Duration.ofMillis(500))
                            .until(() -> {
                                if (!scraped.containsKey("jvm_gc_pause_seconds_count")) {
                                    System.gc();
                                }
                                scraped.clear();
                                scraped.putAll(scrape(api.get("/metrics").body()));
                                problems.clear();
                                problems.addAll(problems(queries, scraped));
                                return problems.isEmpty();
                            });
                } catch (ConditionTimeoutException e) {
                    // reported below, with what is missing
                }
                assertThat(problems)
                        .as(
                                "metrics or labels the monitoring files query but /metrics does not export after"
                                        + " 30 s of traffic; /metrics has: %s",
                                scraped)
                        .isEmpty();
            } finally {
                service.api().delete("/api/v1/subscriptions/" + subscription);
                removeFromDeadLetterQueue(broker, EmailWorker.QUEUE + ".dlq", messageId);
            }
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * The counters whose labels are known in advance are exported at 0 as soon as the service runs, before any
     * message: every reason of the publish errors, and the email worker's consumed, consume errors, retries and
     * dead letters. On a private node, so that no message is waiting for the worker.
     */
    @Test
    void countersWhoseLabelsAreKnownAreExportedAtZeroBeforeAnyMessage() {
        Map<String, String> settings = Map.of("SMTP_HOST", "127.0.0.1", "SMTP_PORT", Integer.toString(FreePorts.one()));
        String queue = "queue=\"" + EmailWorker.QUEUE + "\"";
        List<String> expected = List.of(
                "queue_message_publish_errors_total{exchange=\"_unknown\",reason=\"invalid\"}",
                "queue_message_publish_errors_total{exchange=\"_unknown\",reason=\"not_found\"}",
                "queue_message_publish_errors_total{exchange=\"_unknown\",reason=\"refused\"}",
                "queue_message_publish_errors_total{exchange=\"amq.default\",reason=\"unroutable\"}",
                "queue_message_publish_errors_total{exchange=\"amq.default\",reason=\"nacked\"}",
                "queue_message_publish_errors_total{exchange=\"amq.default\",reason=\"timeout\"}",
                "queue_message_publish_errors_total{exchange=\"amq.default\",reason=\"unavailable\"}",
                "queue_message_published_total{exchange=\"amq.default\"}",
                "queue_message_consumed_total{outcome=\"ack\"," + queue + "}",
                "queue_message_consumed_total{outcome=\"retry\"," + queue + "}",
                "queue_message_consumed_total{outcome=\"dead_letter\"," + queue + "}",
                "queue_message_consume_errors_total{" + queue + ",reason=\"exception\"}",
                "queue_message_consume_errors_total{" + queue + ",reason=\"retry\"}",
                "queue_message_retries_total{" + queue + "}",
                "queue_message_dead_lettered_total{" + queue + "}");
        try (PrivateRabbitNode node = PrivateRabbitNode.start("metrics-at-zero");
                RunningService service =
                        RunningService.start(node.amqpUrl(), settings, Mode.parse(new String[] {"all"}))) {
            Map<String, Double> values = new TreeMap<>();
            try {
                Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> {
                            values.clear();
                            values.putAll(
                                    seriesValues(service.api().get("/metrics").body()));
                            return values.keySet().containsAll(expected);
                        });
            } catch (ConditionTimeoutException e) {
                // reported below, with what is there
            }
            assertThat(values)
                    .as("/metrics right after start-up")
                    .containsAllEntriesOf(expected.stream().collect(Collectors.toMap(s -> s, s -> 0.0)));
        }
    }

    /** Prometheus text format: each series ({@code name{labels}}, as written) with its value. */
    private static Map<String, Double> seriesValues(String text) {
        Map<String, Double> series = new TreeMap<>();
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (!line.isBlank() && !line.startsWith("#") && space > 0) {
                series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return series;
    }

    /** What one expression uses: metric names with their selector labels, and grouping labels. */
    record Query(Map<String, Set<String>> metrics, Set<String> grouping) {
        static Query of(String expr) {
            return new Query(MonitoringFiles.metricsIn(expr), MonitoringFiles.groupingLabels(expr));
        }
    }

    /** Each metric of a query missing from the scrape, each label no series of it has. */
    private static List<String> problems(Map<String, Query> queries, Map<String, Set<String>> scraped) {
        List<String> problems = new ArrayList<>();
        queries.forEach((where, q) -> {
            Set<String> labelsOfQuery = new TreeSet<>();
            q.metrics().forEach((metric, labels) -> {
                if (FROM_PROMETHEUS.contains(metric)) {
                    return;
                }
                Set<String> exported = scraped.get(metric);
                if (exported == null) {
                    problems.add("no metric " + metric + " (" + where + ")");
                    return;
                }
                labelsOfQuery.addAll(exported);
                for (String label : labels) {
                    if (!exported.contains(label) && !TARGET_LABELS.contains(label)) {
                        problems.add("no label " + label + " on " + metric + " (" + where + ")");
                    }
                }
            });
            boolean onlyPrometheus = FROM_PROMETHEUS.containsAll(q.metrics().keySet());
            for (String label : q.grouping()) {
                if (!onlyPrometheus && !labelsOfQuery.contains(label) && !TARGET_LABELS.contains(label)) {
                    problems.add("no metric of the query has label " + label + " (" + where + ")");
                }
            }
        });
        return problems;
    }

    /** Prometheus text format: each metric name with the label names of its series. */
    static Map<String, Set<String>> scrape(String text) {
        Map<String, Set<String>> metrics = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            Set<String> labels = metrics.computeIfAbsent(line.substring(0, i), k -> new LinkedHashSet<>());
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (i < line.length() && line.charAt(i) != '}') { // name="value" pairs, values escaped
                    int eq = line.indexOf('=', i);
                    labels.add(line.substring(i, eq).strip());
                    i = eq + 2; // past ="
                    while (line.charAt(i) != '"') {
                        i += line.charAt(i) == '\\' ? 2 : 1;
                    }
                    i++; // past the closing quote
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
            }
        }
        return metrics;
    }

    /**
     * Takes this test's message out of the dead-letter queue; the others there, taken along the way, go back
     * when the channel closes without acknowledging them.
     */
    private static void removeFromDeadLetterQueue(BrokerProbe broker, String dlq, String messageId) {
        if (!broker.queueExists(dlq)) {
            return;
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                try (Channel ch = broker.channel()) {
                    for (int i = 0; i < 10_000; i++) {
                        GetResponse r = ch.basicGet(dlq, false);
                        if (r == null) {
                            return false;
                        }
                        if (messageId.equals(r.getProps().getMessageId())) {
                            ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
                            return true;
                        }
                    }
                    return false;
                }
            });
        } catch (ConditionTimeoutException e) {
            // never dead-lettered (the test failed before): nothing to remove
        }
    }
}
