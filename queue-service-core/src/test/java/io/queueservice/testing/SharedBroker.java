package io.queueservice.testing;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.queueservice.config.BrokerConfig;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The shared RabbitMQ broker that integration tests use unless they need a {@link PrivateRabbitNode}.
 *
 * <p>The broker is shared with other tests (and other people): use {@link #uniqueName(String)} for every queue and
 * exchange a test declares, and never purge or delete anything the test did not create itself.
 */
public final class SharedBroker {

    /** Where the shared broker is when {@code RABBITMQ_URL} is not set. */
    public static final String DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672";

    private SharedBroker() {}

    /** The environment variable {@code RABBITMQ_URL} (set by failsafe and scripts/test.sh), or {@link #DEFAULT_URL}. */
    public static String url() {
        String url = System.getenv("RABBITMQ_URL");
        return url == null || url.isBlank() ? DEFAULT_URL : url.strip();
    }

    /**
     * Opens a plain AMQP connection (no automatic recovery) to {@link #url()}; the caller closes it.
     *
     * @throws AssertionError if the broker cannot be reached, saying where it was expected and how to get one
     */
    public static Connection connect() {
        String url = url();
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(url);
            factory.setConnectionTimeout(5_000);
            factory.setHandshakeTimeout(10_000);
            factory.setAutomaticRecoveryEnabled(false);
            return factory.newConnection("queue-service-it");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String password = password(url);
            String cause = String.valueOf(e);
            boolean leaks = !password.isEmpty() && cause.contains(password);
            if (leaks) {
                cause = cause.replace(password, "****");
            }
            throw new AssertionError(
                    "The integration tests need a RabbitMQ at " + BrokerConfig.mask(url)
                            + " (environment variable RABBITMQ_URL, default " + BrokerConfig.mask(DEFAULT_URL)
                            + "), but connecting failed (" + cause
                            + "). To get one, run ./scripts/test.sh, which finds or starts one.",
                    leaks ? null : e);
        }
    }

    /** Deletes a queue (or stream) of the tests', if the broker answers; for clean-up, so it never throws. */
    public static void deleteQueue(String name) {
        try (Connection c = connect();
                var ch = c.createChannel()) {
            ch.queueDelete(name);
        } catch (Exception | AssertionError e) {
            // clean-up only: the broker may be gone already
        }
    }

    /** {@code prefix + "-" + 8 random hex digits}, e.g. {@code orders-3fa9c01b}: a queue/exchange name of the test's own. */
    public static String uniqueName(String prefix) {
        return prefix + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    private static String password(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return "";
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon < 0 ? "" : userInfo.substring(colon + 1);
    }
}
