package io.queueservice.definitions;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.QueueType;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the stream with an AMQP 0-9-1 consumer (manual acknowledgements, a prefetch window, {@code
 * x-stream-offset}): declares the stream when missing, subscribes now if connected, else once connected,
 * and again after every reconnection from where the {@link LogReader} stands, and hands each event to it
 * on the log's thread.
 */
final class StreamFollower implements BrokerConnection.Listener {
    // Logged under the log's name, as before the log was split into parts: operators filter on it.
    private static final Logger log = LoggerFactory.getLogger(DefinitionsLog.class);
    private static final String OFFSET = "x-stream-offset";
    private static final int PREFETCH = 200;
    static final Duration RESUBSCRIBE_DELAY = Duration.ofSeconds(1);

    private final BrokerConnection connection;
    private final DefinitionsLogSettings settings;
    private final LogThread thread;
    private final LogReader reader;
    private volatile boolean closed;

    // The log's thread only.
    private Channel channel;
    private int generation; // of the current consumer: deliveries of an older one are ignored

    StreamFollower(BrokerConnection connection, DefinitionsLogSettings settings, LogThread thread, LogReader reader) {
        this.connection = connection;
        this.settings = settings;
        this.thread = thread;
        this.reader = reader;
    }

    /** Listens to the connection and follows the stream now if connected (else {@link #connected} does). */
    void start() {
        connection.addListener(this);
        thread.execute(this::subscribeIfConnected);
    }

    @Override
    public void connected(Connection c) {
        thread.execute(() -> subscribe(c));
    }

    @Override
    public void disconnected(ShutdownSignalException cause) {
        thread.execute(() -> channel = null);
    }

    /** Declares the stream (idempotent), on a channel of its own: a refusal closes the channel. */
    private void declareStream(Connection c) throws IOException {
        Channel ch = c.createChannel();
        try {
            ch.queueDeclare(
                    settings.stream(),
                    true,
                    false,
                    false,
                    Map.of(
                            "x-queue-type",
                            QueueType.STREAM.amqpName(),
                            "x-max-length-bytes",
                            settings.maxLengthBytes(),
                            "x-stream-max-segment-size-bytes",
                            settings.segmentBytes()));
        } finally {
            if (ch.isOpen()) {
                try {
                    ch.close();
                } catch (TimeoutException | RuntimeException e) {
                    // gone already
                }
            }
        }
    }

    private void subscribeIfConnected() {
        try {
            subscribe(connection.require());
        } catch (BrokerUnavailableException e) {
            // connected() subscribes
        }
    }

    /** Consumes the stream from the offset after the last one read (the start, the first time). */
    private void subscribe(Connection c) {
        if (closed || (channel != null && channel.isOpen()) || !c.isOpen()) {
            return;
        }
        try {
            declareStream(c);
            Channel ch = c.createChannel();
            ch.basicQos(PREFETCH);
            int gen = ++generation;
            Object from = reader.resumeFrom();
            ch.basicConsume(settings.stream(), false, Map.of(OFFSET, from), new Follower(ch, gen));
            channel = ch;
            log.info("following definitions stream '{}' from offset {}", settings.stream(), from);
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "cannot follow definitions stream '{}' yet: {}",
                    settings.stream(),
                    e.getCause() != null ? e.getCause().toString() : e.toString());
            scheduleSubscribe();
            return;
        }
        reader.followed();
    }

    private void scheduleSubscribe() {
        thread.schedule(this::subscribeIfConnected, RESUBSCRIBE_DELAY);
    }

    /** One consumer of the stream; hands each event to the log's thread. */
    private final class Follower extends DefaultConsumer {
        private final int gen;

        Follower(Channel channel, int gen) {
            super(channel);
            this.gen = gen;
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            try {
                getChannel().basicAck(envelope.getDeliveryTag(), false); // credit for the next ones
            } catch (IOException | RuntimeException e) {
                return; // the channel is gone; the next consumer reads this again
            }
            Object offset =
                    props.getHeaders() == null ? null : props.getHeaders().get(OFFSET);
            if (!(offset instanceof Number n)) {
                log.warn("definitions stream '{}' delivered a message without an offset", settings.stream());
                return;
            }
            thread.execute(() -> {
                if (gen == generation) {
                    reader.onEvent(n.longValue(), props.getMessageId(), body, StreamFollower.this::firstOffset);
                }
            });
        }

        @Override
        public void handleCancel(String consumerTag) {
            // The stream was deleted: so were the definitions. Start again from an empty state.
            thread.execute(() -> {
                if (gen != generation) {
                    return;
                }
                log.error("definitions stream '{}' was deleted; the definitions start again empty", settings.stream());
                channel = null;
                reader.startAgainEmpty();
                scheduleSubscribe();
            });
        }
    }

    /**
     * The offset of the first event the stream still holds, read with a consumer of its own; the largest long when it
     * cannot be read now (then the caller assumes the worst).
     */
    private long firstOffset() {
        CompletableFuture<Long> first = new CompletableFuture<>();
        Channel probe = null;
        try {
            probe = channel.getConnection().createChannel();
            probe.basicQos(1);
            Channel ch = probe;
            probe.basicConsume(settings.stream(), false, Map.of(OFFSET, "first"), new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
                    Object o = props.getHeaders() == null
                            ? null
                            : props.getHeaders().get(OFFSET);
                    first.complete(o instanceof Number n ? n.longValue() : -1L);
                }
            });
            return first.get(5, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException | TimeoutException | java.util.concurrent.ExecutionException e) {
            log.warn("cannot read where definitions stream '{}' starts: {}", settings.stream(), e.toString());
            return Long.MAX_VALUE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Long.MAX_VALUE;
        } finally {
            if (probe != null && probe.isOpen()) {
                try {
                    probe.close();
                } catch (IOException | TimeoutException | RuntimeException e) {
                    // gone already
                }
            }
        }
    }

    /** Stops subscribing and listening to the connection; {@link #closeChannel} ends the consumer. */
    void stop() {
        closed = true;
        connection.removeListener(this);
    }

    /** On the log's thread: cancels the consumer by closing its channel; later deliveries are ignored. */
    void closeChannel() {
        Channel ch = channel;
        channel = null;
        generation++;
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                // gone already
            }
        }
    }
}
