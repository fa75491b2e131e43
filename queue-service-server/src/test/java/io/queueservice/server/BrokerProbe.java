package io.queueservice.server;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.queueservice.config.BrokerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/**
 * A plain AMQP client, independent of the service, to check what really reached the broker and to clean
 * up what a test created (only that: it never touches other queues).
 */
public final class BrokerProbe implements AutoCloseable {
    private final Connection connection;
    private final List<String> queues = new ArrayList<>();
    private final List<String> exchanges = new ArrayList<>();

    public BrokerProbe(String amqpUrl) {
        try {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(amqpUrl);
            f.setAutomaticRecoveryEnabled(false);
            connection = f.newConnection("test-probe");
        } catch (Exception e) {
            throw new AssertionError(
                    "cannot reach RabbitMQ for the test at " + BrokerConfig.mask(amqpUrl)
                            + "; run ./scripts/test.sh, which finds or starts one",
                    e);
        }
    }

    /** Deletes this queue when the probe closes. */
    public String queue(String name) {
        queues.add(name);
        return name;
    }

    /** Deletes this exchange when the probe closes. */
    public String exchange(String name) {
        exchanges.add(name);
        return name;
    }

    /** A fresh channel; the caller closes it or leaves it to the probe's connection. */
    public Channel channel() {
        try {
            return connection.createChannel();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Takes one message from the queue (acknowledged), or null when it is empty. */
    public GetResponse get(String queue) {
        try (Channel ch = channel()) {
            return ch.basicGet(queue, true);
        } catch (Exception e) {
            throw new AssertionError("basic.get on " + queue + " failed", e);
        }
    }

    /** Waits (bounded) for a message in the queue and takes it. */
    public GetResponse await(String queue) {
        AtomicReference<GetResponse> got = new AtomicReference<>();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            got.set(get(queue));
            return got.get() != null;
        });
        return got.get();
    }

    /** Takes every message now in the queue and returns their bodies as text. */
    public List<String> drain(String queue) {
        List<String> bodies = new ArrayList<>();
        takeAll(queue).forEach(r -> bodies.add(new String(r.getBody(), StandardCharsets.UTF_8)));
        return bodies;
    }

    /** Takes every message now in the queue (acknowledged), with its properties, in queue order. */
    public List<GetResponse> takeAll(String queue) {
        List<GetResponse> taken = new ArrayList<>();
        // One channel for all: the fault suite drains queues of many thousand messages.
        try (Channel ch = channel()) {
            for (GetResponse r = ch.basicGet(queue, true); r != null; r = ch.basicGet(queue, true)) {
                taken.add(r);
            }
        } catch (Exception e) {
            throw new AssertionError("draining " + queue + " failed after " + taken.size() + " messages", e);
        }
        return taken;
    }

    /** Messages ready in the queue. */
    public long depth(String queue) {
        try (Channel ch = channel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
            throw new AssertionError("queue " + queue + " cannot be inspected", e);
        }
    }

    public boolean queueExists(String queue) {
        try (Channel ch = channel()) {
            ch.queueDeclarePassive(queue);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public boolean exchangeExists(String exchange) {
        try (Channel ch = channel()) {
            ch.exchangeDeclarePassive(exchange);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        try (Channel ch = channel()) {
            for (String q : queues) {
                ch.queueDelete(q);
            }
            for (String e : exchanges) {
                ch.exchangeDelete(e);
            }
        } catch (Exception e) {
            // best effort: a test that failed may have left its channel closed
        } finally {
            try {
                connection.close();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }
}
