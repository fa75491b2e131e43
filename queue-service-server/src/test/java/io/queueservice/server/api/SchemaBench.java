package io.queueservice.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.config.ConfigReader;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.server.schemas.MemorySchemaStore;
import io.queueservice.server.schemas.MessageSchemas;
import io.queueservice.server.schemas.SchemaTarget;
import io.queueservice.server.security.AccessControl;
import io.queueservice.server.security.SecurityConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a message schema adds to the CPU cost of a publish: the publish path's own steps before the broker
 * (reading the request body, then {@link Publishing#prepare}: the message, the access check, the schema), for a
 * sign-up message of 1 KiB, without a schema and with the confirmation email's (docs/schemas), on one thread,
 * in CPU time. Rounds alternate between the two, after a warm-up, and the median of each is printed. Run by
 * bench/schemas.sh; no test asserts a timing.
 */
public final class SchemaBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int operations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path schemaFile = Path.of(args.length > 2 ? args[2] : "docs/schemas/confirmation-email.schema.json");

        byte[] body = request().getBytes(StandardCharsets.UTF_8);
        MessageSchemas none = MemorySchemaStore.schemas();
        MessageSchemas withSchema = MemorySchemaStore.schemas();
        withSchema.define(
                SchemaTarget.routingKey("email", "confirmation"),
                new ObjectMapper().readTree(Files.readString(schemaFile, StandardCharsets.UTF_8)));
        Publishing plain = publishing(none);
        Publishing checked = publishing(withSchema);

        System.out.printf(
                "publish path before the broker, request body %d bytes (message %d bytes), %d publishes per round%n",
                body.length, message().length(), operations);
        run(plain, body, operations); // warm-up, both paths
        run(checked, body, operations);
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            double without = run(plain, body, operations);
            double with = run(checked, body, operations);
            a.add(without);
            b.add(with);
            System.out.printf(
                    "round %d: without schema %.2f us, with schema %.2f us, difference %.2f us CPU per publish%n",
                    round, without, with, with - without);
        }
        double medianWithout = median(a);
        double medianWith = median(b);
        System.out.printf(
                "median: without schema %.2f us, with schema %.2f us: a schema adds %.2f us CPU per publish%n",
                medianWithout, medianWith, medianWith - medianWithout);
    }

    /** CPU microseconds per publish of {@code body} through {@code publishing}. */
    private static double run(Publishing publishing, byte[] body, int operations) {
        long sink = 0;
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < operations; i++) {
            Publishing.Prepared p = publishing.prepare(JsonBodies.read(body, PublishRequest.class), null, null, null);
            sink += p.toSend().body().length;
        }
        long cpu = THREADS.getCurrentThreadCpuTime() - start;
        if (sink == 42) {
            System.out.println(); // keeps the loop's result alive
        }
        return cpu / 1000.0 / operations;
    }

    private static Publishing publishing(MessageSchemas schemas) {
        SecurityConfig security = SecurityConfig.from(new ConfigReader(Map.of("AUTH_MODE", "none")), true);
        return new Publishing(
                new AccessControl(security, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                TestDelays.scheduling(),
                PublishMetrics.NO_OP,
                schemas);
    }

    /** A sign-up confirmation of 1 KiB (1,024 bytes of JSON), as the account service would send it. */
    static String message() {
        String head = "{\"to\":\"Ada Lovelace <ada.lovelace@example.com>\",\"template\":\"confirmation\","
                + "\"locale\":\"en-GB\",\"variables\":{\"userName\":\"Ada\",\"confirmationUrl\":"
                + "\"https://accounts.example.com/confirm?token=";
        String tail = "\"}}";
        return head + "a".repeat(1024 - head.length() - tail.length()) + tail;
    }

    private static String request() {
        return "{\"exchange\":\"email\",\"routingKey\":\"confirmation\",\"message\":" + message()
                + ",\"options\":{\"persistent\":true}}";
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
