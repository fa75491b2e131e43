package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.queueservice.config.ConfigException;
import io.queueservice.server.ApiClient.Response;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.FreePorts;
import io.queueservice.testing.PrivateRabbitNode;
import io.queueservice.testing.SharedBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Secrets never appear: the service runs with a distinctive broker password (a user of a private node),
 * JWT secret and SMTP password; startup, a failing startup, errors, health, metrics, refused requests and
 * a failing email delivery are exercised, and every log line, response header and body is searched.
 */
class SecretsIT {
    private static final String BROKER_USER = "qs-secrets-user";
    private static final String BROKER_PASSWORD = "Brk-Pw-7f3e9a1c-distinct";
    private static final String JWT_SECRET = "Jwt-Secret-b41d0e77-0123456789abcdef-distinct";
    private static final String SMTP_PASSWORD = "Smtp-Pw-5c2e8d40-distinct";
    private static final List<String> SECRETS = List.of(BROKER_PASSWORD, JWT_SECRET, SMTP_PASSWORD);

    private final List<String> seen = new ArrayList<>();

    private Response keep(Response r) {
        seen.add(r.status() + " " + r.raw().headers().map() + "\n" + r.body());
        return r;
    }

    private static void assertNoSecretIn(String where, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as("%s must not contain a secret", where).doesNotContain(secret);
        }
    }

    private static Map<String, String> settings(String amqpUrl, String managementUrl, int closedPort) {
        Map<String, String> env = new HashMap<>(Map.of(
                "AUTH_MODE", "jwt",
                "JWT_SECRET", JWT_SECRET,
                "METRICS_AUTH", "false",
                "SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", Integer.toString(closedPort),
                "SMTP_USER", "mailer",
                "SMTP_PASSWORD", SMTP_PASSWORD,
                "SMTP_TIMEOUT", "500",
                "MAX_RETRIES", "0",
                "LOG_LEVEL", "debug"));
        env.put("RABBITMQ_URL", amqpUrl);
        if (managementUrl != null) {
            env.put("RABBITMQ_MANAGEMENT_URL", managementUrl);
        }
        return env;
    }

    @Test
    void noSecretAppearsInAnyLogLineOrResponse() throws Exception {
        int smtpPort = FreePorts.one(); // nothing listens there: SMTP is down
        try (PrivateRabbitNode node = PrivateRabbitNode.startWithManagement("secrets")) {
            node.rabbitmqctl("add_user", BROKER_USER, BROKER_PASSWORD);
            node.rabbitmqctl("set_user_tags", BROKER_USER, "management");
            node.rabbitmqctl("set_permissions", "-p", "/", BROKER_USER, ".*", ".*", ".*");
            String amqpUrl = "amqp://" + BROKER_USER + ":" + BROKER_PASSWORD + "@127.0.0.1:" + node.amqpPort();

            Main.applyLogLevel("debug");
            try (LogCapture logs = new LogCapture()) {
                // a working service, in both roles (API and email worker)
                try (RunningService service = RunningService.start(
                        amqpUrl, settings(amqpUrl, node.managementUrl(), smtpPort), Mode.parse(new String[] {"all"}))) {
                    exercise(service.api());
                }
                // the wrong password on the shared broker: connection failures are logged and reported
                String wrong = SharedBroker.url().replaceFirst(":[^:@/]*@", ":" + BROKER_PASSWORD + "@");
                try (RunningService refused = RunningService.start(wrong, settings(wrong, null, smtpPort))) {
                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> logs.all().contains("ACCESS_REFUSED")
                                    || logs.all().toLowerCase().contains("refused"));
                    keep(refused.api().get("/healthz"));
                    keep(refused.api().get("/healthz/ready"));
                    keep(refused.api()
                            .withToken(token("publish"))
                            .publish(json(Map.of("routingKey", "q", "message", 1))));
                }
                // a configuration that cannot start, holding every secret
                ConfigException e = catchThrowableOfType(
                        ConfigException.class,
                        () -> ServerConfig.from(Map.of(
                                "RABBITMQ_URL",
                                "amqp://u:" + BROKER_PASSWORD + "@host:99999",
                                "JWT_SECRET",
                                JWT_SECRET.substring(0, 20),
                                "SMTP_PASSWORD",
                                SMTP_PASSWORD)));
                assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(3);
                assertNoSecretIn("the configuration error", e.getMessage());

                String all = logs.all();
                assertThat(all).contains("refused: no valid token"); // the exercise reached the log
                assertNoSecretIn("the logs", all);
            } finally {
                Main.applyLogLevel("info");
            }
        }
        assertThat(seen).hasSizeGreaterThan(10);
        for (String response : seen) {
            assertNoSecretIn("a response", response);
        }
    }

    private static String token(String scope) {
        return TestTokens.hs256(
                JWT_SECRET, TestTokens.claims("secrets-it", scope).build());
    }

    private void exercise(ApiClient anonymous) {
        ApiClient admin = anonymous.withToken(token("publish topology:write"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> anonymous.get("/healthz/ready").status() == 200);
        keep(anonymous.get("/healthz"));
        keep(anonymous.get("/healthz/ready"));
        keep(anonymous.get("/metrics"));
        keep(admin.post("/api/v1/queues", json(Map.of("name", "secrets-q"))));
        keep(admin.publish(json(Map.of("routingKey", "secrets-q", "message", Map.of("n", 1)))));
        keep(admin.get("/api/v1/queues")); // through the management API, with the broker's credentials
        keep(admin.get("/api/v1/queues/secrets-q"));
        keep(admin.publish(json(Map.of("exchange", "no-such-exchange", "routingKey", "x", "message", 1))));
        keep(admin.publish("{not json"));
        keep(admin.post("/api/v1/queues", json(Map.of("name", "secrets-q", "options", Map.of("durable", false)))));
        // refused requests, one of them with the secret itself as the token
        keep(anonymous.get("/api/v1/queues/secrets-q"));
        keep(anonymous.withToken(JWT_SECRET).get("/api/v1/queues/secrets-q"));
        keep(anonymous.withHeader("Authorization", "Basic " + JWT_SECRET).get("/api/v1/queues/secrets-q"));
        keep(anonymous.withToken(token("metrics:read")).delete("/api/v1/queues/secrets-q"));
        // an email the worker cannot deliver (nothing listens on the SMTP port): it logs the failure
        keep(admin.publish(json(Map.of(
                "exchange", "email",
                "routingKey", "confirmation",
                "message", Map.of("to", "ada@example.com", "subject", "Hello", "body", "Hi")))));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Response dlq = admin.get("/api/v1/queues/email_confirmation.dlq");
            return dlq.status() == 200 && dlq.json().get("messages").asLong() >= 1;
        });
        keep(anonymous.get("/metrics"));
    }

    @Test
    void aFailingStartOfTheJarPrintsNoSecret() throws Exception {
        Path jar = Path.of("target", "queue-service.jar").toAbsolutePath();
        assertThat(jar)
                .as("built by the package phase before the integration tests")
                .exists();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString())
                .redirectErrorStream(true)
                .directory(Files.createTempDirectory("secrets-it").toFile()); // no .env there
        pb.environment().clear();
        pb.environment()
                .putAll(Map.of(
                        "RABBITMQ_URL",
                        "amqp://u:" + BROKER_PASSWORD + "@127.0.0.1:1",
                        "JWT_SECRET",
                        JWT_SECRET,
                        "JWT_JWKS_URL",
                        "https://idp.example/jwks",
                        "SMTP_PASSWORD",
                        SMTP_PASSWORD,
                        "PORT",
                        "-1"));
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("queue-service cannot start", "JWT_SECRET", "SMTP_PASSWORD", "PORT");
        assertNoSecretIn("the output of a failing start", output);
    }
}
