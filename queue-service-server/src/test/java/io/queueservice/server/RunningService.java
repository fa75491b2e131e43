package io.queueservice.server;

import io.queueservice.testing.SharedBroker;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** The service started in-process on a free port of 127.0.0.1, against the broker at {@code amqpUrl}. */
public final class RunningService implements AutoCloseable {
    private final QueueService service;
    private final ApiClient api;
    private boolean stopped;

    private RunningService(QueueService service) {
        this.service = service;
        this.api = new ApiClient(URI.create("http://127.0.0.1:" + service.port()));
    }

    /** Starts the service; {@code settings} override the environment a user would set (see .env.example). */
    /** The definitions stream of the services this test run starts, removed from the broker when the run ends. */
    static final String RUN_DEFINITIONS_STREAM = SharedBroker.uniqueName("qs-test.definitions");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> SharedBroker.deleteQueue(RUN_DEFINITIONS_STREAM)));
    }

    public static RunningService start(String amqpUrl, Map<String, String> settings) {
        return new RunningService(QueueService.start(ServerConfig.from(environment(amqpUrl, settings))));
    }

    /**
     * Starts the service in the given {@link Mode} (e.g. {@code all}: the API and the email worker, whose
     * SMTP server need not be reachable to start); {@code settings} as above.
     */
    public static RunningService start(String amqpUrl, Map<String, String> settings, Mode mode) {
        return new RunningService(
                QueueService.start(ServerConfig.from(environment(amqpUrl, settings)), (Mode.Serve) mode));
    }

    private static Map<String, String> environment(String amqpUrl, Map<String, String> settings) {
        Map<String, String> env = new HashMap<>();
        env.put("RABBITMQ_URL", amqpUrl);
        env.put("HOST", "127.0.0.1");
        env.put("PORT", "0");
        env.put("RABBITMQ_CONNECTION_TIMEOUT", "2000");
        env.put("AUTH_MODE", "none"); // tests about authentication set AUTH_MODE=jwt and a key source

        env.putAll(settings);
        // The delay machinery's queues on the shared broker are of one type: services declaring them quorum
        // use names of their own.
        // Subscriptions and schemas of this test run stay among its own services: a service started by hand on the
        // same broker, or a later run, follows the default stream and must not deliver the tests' messages.
        env.putIfAbsent("DEFINITIONS_STREAM", RUN_DEFINITIONS_STREAM);
        if ("quorum".equalsIgnoreCase(env.get("DEFAULT_QUEUE_TYPE"))) {
            env.putIfAbsent("DELAY_NAME_PREFIX", "qs-test-quorum.delay");
        }
        return env;
    }

    public static RunningService start(String amqpUrl) {
        return start(amqpUrl, Map.of());
    }

    /** The HTTP port it listens on (127.0.0.1). */
    public int port() {
        return service.port();
    }

    public ApiClient api() {
        return api;
    }

    /** Stops as on SIGTERM. */
    public void stop() {
        if (!stopped) {
            stopped = true;
            service.stop();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
