package io.queueservice.server;

import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PemFiles;
import io.queueservice.config.PublishConfig;
import io.queueservice.delay.DelayConfig;
import io.queueservice.server.api.BatchConfig;
import io.queueservice.server.email.EmailConfig;
import io.queueservice.server.idempotency.IdempotencyConfig;
import io.queueservice.server.push.PushConfig;
import io.queueservice.server.security.SecurityConfig;
import io.queueservice.worker.WorkerOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the server reads from its environment, validated at once (see {@link ConfigReader}).
 *
 * @param host address the HTTP server binds to
 * @param maxBodyBytes largest request body accepted; larger ones get 413
 * @param shutdownTimeout on SIGTERM, how long requests in flight may take to finish
 * @param logFormat {@code text} (one line for humans) or {@code json} (one JSON object per line, for log
 *     pipelines); see {@code LogFormat}
 * @param worker how workers consume (retries, circuit breaker, prefetch, ...), and {@code DEFAULT_QUEUE_TYPE}
 *     ({@link WorkerOptions#queueType()}), which the API's queue declarations use as well
 * @param email where the email worker sends mail, and the templates it renders (read and checked here)
 * @param queueDepthInterval how often queue depths are read from the broker for {@code /metrics}
 * @param metricsQueues queues whose depth is reported besides those the service declared or consumes
 * @param managementUrl the RabbitMQ management API, needed to list queues
 * @param https the certificate and key to serve HTTPS with ({@code HTTPS_CERT_PATH}, {@code
 *     HTTPS_KEY_PATH}); plain HTTP when empty
 * @param security who may call the API and how often (AUTH_MODE, JWT_*, METRICS_AUTH, RATE_LIMIT_*)
 * @param batch the limits of batch publishes (PUBLISH_BATCH_MAX_MESSAGES, MAX_BATCH_BODY_SIZE)
 * @param idempotency where idempotency keys live and for how long (IDEMPOTENCY_*)
 * @param delay delayed delivery: the longest delay, the delay queues' type and names (PUBLISH_MAX_DELAY,
 *     DELAY_NAME_PREFIX, and DEFAULT_QUEUE_TYPE)
 * @param push push subscriptions: the key of their signing secrets, delivery, the address rules (PUSH_*,
 *     SUBSCRIPTIONS_KEY)
 */
public record ServerConfig(
        String host,
        int port,
        long maxBodyBytes,
        Duration shutdownTimeout,
        String logLevel,
        String logFormat,
        BrokerConfig broker,
        PublishConfig publish,
        WorkerOptions worker,
        EmailConfig email,
        Duration queueDepthInterval,
        List<String> metricsQueues,
        Optional<URI> managementUrl,
        Optional<PemFiles.Identity> https,
        SecurityConfig security,
        BatchConfig batch,
        IdempotencyConfig idempotency,
        DelayConfig delay,
        PushConfig push) {

    /** {@code METRICS_QUEUES}: queues whose depth is reported besides those the service knows, comma-separated. */
    private static List<String> metricsQueues(ConfigReader r) {
        return Arrays.stream(r.string("METRICS_QUEUES", "").split(","))
                .map(String::trim)
                .filter(q -> !q.isEmpty())
                .distinct()
                .toList();
    }

    /** {@code RABBITMQ_MANAGEMENT_URL}: the management plugin's HTTP API, e.g. {@code http://localhost:15672}. */
    private static Optional<URI> managementUrl(ConfigReader r) {
        Optional<String> raw = r.raw("RABBITMQ_MANAGEMENT_URL");
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(raw.get());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && uri.getRawUserInfo() == null) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        r.problem(
                "RABBITMQ_MANAGEMENT_URL",
                "must be an http(s) URL without credentials (they come from RABBITMQ_URL)" + " but was '"
                        + BrokerConfig.mask(raw.get()) + "'");
        return Optional.empty();
    }

    public static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    public static final Set<String> LOG_FORMATS = Set.of("text", "json");

    /**
     * Reads and validates every setting, for a process that serves the API (the default mode).
     *
     * @throws io.queueservice.config.ConfigException listing every problem found
     */
    public static ServerConfig from(Map<String, String> env) {
        return from(env, true);
    }

    /**
     * Reads and validates every setting.
     *
     * @param servesApi whether the process serves the API: with {@code AUTH_MODE=jwt} (the default) it then
     *     needs a key source; a worker-only process does not (unless {@code METRICS_AUTH=true})
     * @throws io.queueservice.config.ConfigException listing every problem found
     */
    public static ServerConfig from(Map<String, String> env, boolean servesApi) {
        return from(new ConfigReader(env), servesApi);
    }

    /**
     * Reads and validates every setting from {@code r}, which then knows every variable read ({@link
     * ConfigReader#namesRead()}).
     *
     * @param servesApi see {@link #from(Map, boolean)}
     * @throws io.queueservice.config.ConfigException listing every problem found
     */
    public static ServerConfig from(ConfigReader r, boolean servesApi) {
        PublishConfig publish = PublishConfig.from(r);
        WorkerOptions worker = WorkerOptions.from(r);
        SecurityConfig security = SecurityConfig.from(r, servesApi);
        ServerConfig c = new ServerConfig(
                r.string("HOST", "0.0.0.0"),
                r.integer("PORT", 3000, 0, 65535),
                r.longValue("MAX_BODY_SIZE", 1_048_576, 1024, 64L * 1024 * 1024),
                Duration.ofMillis(r.longValue("SHUTDOWN_TIMEOUT", 10_000, 0, 600_000)),
                r.oneOf("LOG_LEVEL", "info", LOG_LEVELS),
                r.oneOf("LOG_FORMAT", "text", LOG_FORMATS),
                BrokerConfig.from(r),
                publish,
                worker,
                EmailConfig.from(r),
                Duration.ofMillis(r.longValue("QUEUE_DEPTH_INTERVAL", 15_000, 1_000, 3_600_000)),
                metricsQueues(r),
                managementUrl(r),
                PemFiles.identity(r, "HTTPS_CERT_PATH", "HTTPS_KEY_PATH"),
                security,
                BatchConfig.from(r, publish),
                IdempotencyConfig.from(r, publish.requestTimeout()),
                DelayConfig.from(r, worker.queueType()),
                PushConfig.from(r, security.mode()));
        r.validate();
        return c;
    }
}
