package io.queueservice.redrive;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceConflictException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;

/**
 * What a redrive holds on one connection: the lock queue, the channel, and the consumer whose deliveries wait in
 * {@link #inbox}. A new session after a lost connection takes all three again.
 */
final class RedriveSession {
    /** Put in the inbox by the consumer when its channel is gone. */
    static final Object LOST = new Object();
    /** Put in the inbox when the broker cancelled the consumer (the queue was deleted). */
    static final Object CANCELLED_BY_BROKER = new Object();

    private static final String LOCK_PREFIX = "qs.redrive.lock.";

    /** Deliveries ({@link Delivery}), or {@link #LOST} or {@link #CANCELLED_BY_BROKER}. */
    final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

    private final Channel lock;
    private final Channel channel;
    private final String queue;
    private final long readyAtStart;

    private RedriveSession(Channel lock, Channel channel, String queue, long readyAtStart) {
        this.lock = lock;
        this.channel = channel;
        this.queue = queue;
        this.readyAtStart = readyAtStart;
    }

    /** The session's channel is gone (its connection, most often). */
    static final class Lost extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Lost(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Takes the queue's lock, checks that nothing else consumes it, and consumes it as an exclusive consumer with
     * {@code window} messages at most taken ahead.
     *
     * @throws io.queueservice.broker.ResourceNotFoundException when the queue does not exist
     * @throws ResourceConflictException when another redrive holds the lock, or the queue has consumers
     * @throws io.queueservice.broker.BrokerUnavailableException when the broker cannot be reached
     */
    static RedriveSession open(BrokerConnection connection, String queue, String consumerTag, int window) {
        Channel lock = null;
        Channel channel = null;
        try {
            Connection c = connection.require();
            lock = c.createChannel();
            try {
                lock.queueDeclare(lockName(queue), false, true, true, Map.of("x-queue-type", "classic"));
            } catch (IOException e) {
                throw conflictOr(e, "a redrive of queue '" + queue + "' is running on another instance");
            }
            channel = c.createChannel();
            AMQP.Queue.DeclareOk ok = channel.queueDeclarePassive(queue);
            if (ok.getConsumerCount() > 0) {
                throw new ResourceConflictException(
                        "queue '" + queue + "' has " + ok.getConsumerCount() + " consumer(s): a redrive would"
                                + " compete with them for its messages; stop them first",
                        null);
            }
            RedriveSession s = new RedriveSession(lock, channel, queue, ok.getMessageCount());
            channel.basicQos(window);
            try {
                channel.basicConsume(queue, false, consumerTag, false, true, Map.of(), s.consumer());
            } catch (IOException e) {
                throw conflictOr(e, "queue '" + queue + "' is consumed by another consumer");
            }
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            closeQuietly(lock);
            throw BrokerErrors.translate(e);
        }
    }

    /** The broker's refusal of an exclusive declaration or consumer, said as a conflict. */
    private static BrokerException conflictOr(IOException e, String conflict) {
        BrokerException b = BrokerErrors.translate(e);
        return b instanceof ResourceConflictException || b instanceof OperationRefusedException r && r.forbidden()
                ? new ResourceConflictException(conflict, null)
                : b;
    }

    private DefaultConsumer consumer() {
        return new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(
                    String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                inbox.add(new Delivery(envelope, properties, body));
            }

            @Override
            public void handleCancel(String consumerTag) {
                inbox.add(CANCELLED_BY_BROKER);
            }

            @Override
            public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
                inbox.add(LOST);
            }
        };
    }

    /** The messages ready in the queue when the session began. */
    long readyAtStart() {
        return readyAtStart;
    }

    /** The messages ready in the queue now. */
    long readyMessages() {
        try {
            return channel.queueDeclarePassive(queue).getMessageCount();
        } catch (IOException | RuntimeException e) {
            throw new Lost(e.toString());
        }
    }

    void ack(Delivery d) {
        try {
            channel.basicAck(d.getEnvelope().getDeliveryTag(), false);
        } catch (IOException | RuntimeException e) {
            throw new Lost(e.toString());
        }
    }

    void requeue(Delivery d) {
        try {
            channel.basicNack(d.getEnvelope().getDeliveryTag(), false, true);
        } catch (IOException | RuntimeException e) {
            throw new Lost(e.toString());
        }
    }

    /**
     * Closes the channel (what it holds unacknowledged goes back to the queue) and releases the lock: the lock
     * queue belongs to the connection, which stays, so it is deleted.
     */
    void close() {
        closeQuietly(channel);
        if (lock.isOpen()) {
            try {
                lock.queueDelete(lockName(queue));
            } catch (IOException | RuntimeException ignored) {
                // the connection is gone, and the broker removed the lock with it
            }
        }
        closeQuietly(lock);
    }

    private static void closeQuietly(Channel ch) {
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | RuntimeException ignored) {
                // gone already
            }
        }
    }

    /** The exclusive lock queue of a queue: its name with a prefix, or a digest of it when that is too long. */
    static String lockName(String queue) {
        String plain = LOCK_PREFIX + queue;
        if (plain.getBytes(StandardCharsets.UTF_8).length <= 255) {
            return plain;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(queue.getBytes(StandardCharsets.UTF_8));
            return LOCK_PREFIX + "sha256." + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
