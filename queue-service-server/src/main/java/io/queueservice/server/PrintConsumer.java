package io.queueservice.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.config.BrokerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code queue-service consume <queue>}: prints every message of a queue as one JSON line (exchange,
 * routing key, message id, headers, body as text) and acknowledges it, so it leaves the queue. For
 * trying things by hand, like the original's {@code test-consumer}; stopped with Ctrl-C.
 */
final class PrintConsumer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrintConsumer() {}

    /** @return false when the queue does not exist */
    static boolean run(BrokerConfig broker, String queue) {
        PrintStream out = System.out;
        BrokerConnection connection = new BrokerConnection(broker, "queue-service-print", Duration.ofSeconds(5));
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean missing = new AtomicBoolean();
        connection.addListener(new BrokerConnection.Listener() {
            @Override
            public void connected(com.rabbitmq.client.Connection c) throws IOException {
                Channel ch = c.createChannel();
                ch.basicQos(10);
                try {
                    ch.queueDeclarePassive(queue);
                } catch (IOException e) {
                    System.err.println("queue '" + queue + "' does not exist");
                    missing.set(true);
                    stopped.countDown();
                    return;
                }
                ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body)
                            throws IOException {
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("exchange", env.getExchange());
                        line.put("routingKey", env.getRoutingKey());
                        line.put("messageId", props.getMessageId());
                        line.put("redelivered", env.isRedeliver());
                        line.put("headers", text(props.getHeaders()));
                        line.put("body", new String(body, StandardCharsets.UTF_8));
                        out.println(JSON.writeValueAsString(line));
                        ch.basicAck(env.getDeliveryTag(), false);
                    }
                });
                System.err.println("printing messages of '" + queue + "' (Ctrl-C to stop)");
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            connection.close();
            stopped.countDown();
        }));
        connection.start();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
        return !missing.get();
    }

    /** Header values as the JSON writer can show them (AMQP long strings arrive as bytes). */
    private static Map<String, Object> text(Map<String, Object> headers) {
        Map<String, Object> shown = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((k, v) ->
                    shown.put(k, v instanceof Number || v instanceof Boolean || v == null ? v : v.toString()));
        }
        return shown;
    }
}
