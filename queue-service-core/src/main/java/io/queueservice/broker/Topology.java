package io.queueservice.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.queueservice.metrics.QueueDepthSource;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeoutException;

/**
 * Declares, inspects and deletes queues, exchanges and bindings.
 *
 * <p>Every operation runs on a channel of its own, opened for it and closed after: the broker answers
 * a bad operation (unknown queue, arguments that differ from the existing ones) by closing the channel,
 * and that must never affect another request. Failures arrive as {@link BrokerException}s.
 */
public final class Topology implements TopologyOperations, QueueDepthSource {
    private final BrokerConnection connection;
    private final QueueType defaultQueueType;
    private final KnownExchanges knownExchanges = new KnownExchanges();

    /** Queues declared without a type get the broker's default type. */
    public Topology(BrokerConnection connection) {
        this(connection, null);
    }

    /**
     * @param defaultQueueType the type of queues declared without one ({@code DEFAULT_QUEUE_TYPE}; see {@link
     *     QueueSpec#withDefaultType}); null for the broker's default (no {@code x-queue-type} is sent)
     * @throws IllegalArgumentException for {@code stream}
     */
    public Topology(BrokerConnection connection, QueueType defaultQueueType) {
        if (defaultQueueType == QueueType.STREAM) {
            throw new IllegalArgumentException("the default queue type must be classic or quorum");
        }
        this.connection = connection;
        this.defaultQueueType = defaultQueueType;
    }

    /** The type of queues declared without one; empty for the broker's default. */
    public Optional<QueueType> defaultQueueType() {
        return Optional.ofNullable(defaultQueueType);
    }

    /** Exchanges recently proven publishable; deleting one here forgets it. */
    public KnownExchanges knownExchanges() {
        return knownExchanges;
    }

    /** One step on a channel; may throw what the client library throws. */
    @FunctionalInterface
    private interface ChannelOperation<T> {
        T apply(Channel channel) throws IOException;
    }

    /**
     * Declares an exchange, or checks that an existing one has the same settings.
     *
     * @return true when the exchange was created, false when it already existed with these settings
     * @throws InvalidRequestException when the spec breaks a rule
     * @throws ResourceConflictException when it exists with other settings (names the argument)
     */
    public boolean declareExchange(ExchangeSpec spec) {
        spec.validate();
        boolean existed = exchangeExists(spec.name());
        Map<String, Object> arguments = spec.amqpArguments();
        run(ch -> {
            FrameSize.check(
                    ch.getConnection(),
                    new AMQP.Exchange.Declare.Builder()
                            .exchange(spec.name())
                            .type(spec.type().amqpName())
                            .durable(spec.durable())
                            .autoDelete(spec.autoDelete())
                            .internal(spec.internal())
                            .arguments(arguments)
                            .build(),
                    "arguments");
            return ch.exchangeDeclare(
                    spec.name(), spec.type().amqpName(), spec.durable(), spec.autoDelete(), spec.internal(), arguments);
        });
        return !existed;
    }

    /** Whether an exchange of this name exists. The default exchange {@code ""} always does. */
    public boolean exchangeExists(String name) {
        if (name.isEmpty()) {
            return true;
        }
        return exists(ch -> ch.exchangeDeclarePassive(name));
    }

    /**
     * Deletes an exchange.
     *
     * @param ifUnused refuse (conflict) when queues or exchanges are bound to it
     * @throws ResourceNotFoundException when it does not exist
     */
    public void deleteExchange(String name, boolean ifUnused) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkDeclarable("name", name, v);
        InvalidRequestException.throwIfAny(v);
        knownExchanges.forget(name);
        run(ch -> {
            ch.exchangeDeclarePassive(name); // the broker deletes missing exchanges silently
            return ch.exchangeDelete(name, ifUnused);
        });
    }

    /**
     * Declares a queue, or checks that an existing one has the same settings. A spec without a type gets
     * the {@link #defaultQueueType()}.
     *
     * @return true when the queue was created, false when it already existed with these settings
     * @throws InvalidRequestException when the spec (with the default type) breaks a rule
     * @throws ResourceConflictException when it exists with other settings (names the argument)
     */
    public boolean declareQueue(QueueSpec spec) {
        QueueSpec s = spec.withDefaultType(defaultQueueType);
        s.validate();
        Map<String, Object> arguments = s.amqpArguments();
        try {
            if (QueueDeclaration.replicated(arguments)) {
                // RabbitMQ answers some declarations of quorum queues (one whose replicas are in a bad state, for
                // instance after a delete raced a declare of the same name) with a connection error, 541
                // INTERNAL_ERROR: on a connection of its own, that fails this request alone.
                return isolated(ch -> QueueDeclaration.declare(ch, s, arguments));
            }
            return run(ch -> QueueDeclaration.declare(ch, s, arguments));
        } catch (ResourceConflictException e) {
            throw e.argument().filter(QueueSpec.TYPE_ARGUMENT::equals).isPresent() ? typeConflict(s, e) : e;
        }
    }

    /**
     * The broker says "received 'quorum' but current is none"; say what it means and what to do, since
     * it mostly happens when {@code DEFAULT_QUEUE_TYPE} changed under existing queues.
     */
    private ResourceConflictException typeConflict(QueueSpec s, ResourceConflictException e) {
        QueueType asked = s.effectiveType();
        String detail = "queue '" + s.name() + "' exists with another type than "
                + (asked == null ? "the broker's default" : asked.amqpName())
                + (defaultQueueType == null
                        ? ""
                        : " (queues declared without a type get DEFAULT_QUEUE_TYPE=" + defaultQueueType.amqpName()
                                + " here)")
                + ", and RabbitMQ never changes the type of a queue: declare it with the type it has, or move its"
                + " messages elsewhere and delete it; the broker said: " + e.getMessage();
        return new ResourceConflictException(detail, QueueSpec.TYPE_ARGUMENT);
    }

    /**
     * Message and consumer counts of a queue.
     *
     * @throws ResourceNotFoundException when it does not exist
     */
    public QueueInfo queueInfo(String name) {
        checkQueueName(name);
        AMQP.Queue.DeclareOk ok = run(ch -> ch.queueDeclarePassive(name));
        return new QueueInfo(ok.getQueue(), ok.getMessageCount(), ok.getConsumerCount());
    }

    /**
     * The messages ready in a queue (one passive declaration), for {@link io.queueservice.metrics.QueueDepths}.
     *
     * @return empty when the queue does not exist or its name could not exist
     * @throws BrokerException when the broker cannot be asked now
     */
    @Override
    public OptionalLong readyMessages(String queue) {
        try {
            return OptionalLong.of(queueInfo(queue).messages());
        } catch (ResourceNotFoundException | InvalidRequestException gone) {
            return OptionalLong.empty();
        }
    }

    /**
     * Deletes a queue and the messages in it.
     *
     * @return how many messages were deleted with it
     * @throws ResourceNotFoundException when it does not exist
     * @throws ResourceConflictException when {@code ifUnused} or {@code ifEmpty} is set and not met
     * @throws OperationRefusedException when the queue's type does not support the condition
     */
    public long deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
        checkQueueName(name);
        ChannelOperation<Long> delete = ch -> {
            ch.queueDeclarePassive(name); // the broker deletes missing queues silently
            return (long) ch.queueDelete(name, ifUnused, ifEmpty).getMessageCount();
        };
        // Quorum queues refuse the conditions by closing the whole connection: use one of its own.
        return ifUnused || ifEmpty ? isolated(delete) : run(delete);
    }

    /**
     * Removes every ready message from a queue.
     *
     * @return how many messages were removed
     * @throws OperationRefusedException for a stream, which cannot be purged
     */
    public long purgeQueue(String name) {
        checkQueueName(name);
        // Streams refuse a purge by closing the whole connection: use one of its own.
        return isolated(ch -> (long) ch.queuePurge(name).getMessageCount());
    }

    /** Binds a queue to an exchange; binding twice is harmless. */
    public void bind(BindingSpec spec) {
        spec.validate();
        run(ch -> {
            FrameSize.check(ch.getConnection(), bindMethod(spec), "arguments");
            return ch.queueBind(spec.queue(), spec.exchange(), spec.routingKey(), spec.arguments());
        });
    }

    /**
     * Binds exchange {@code destination} to exchange {@code source} (a RabbitMQ extension to AMQP): messages
     * {@code source} routes with {@code routingKey} go on through {@code destination}'s own bindings. Binding
     * twice is harmless.
     *
     * @throws InvalidRequestException when a name breaks a rule
     * @throws ResourceNotFoundException when either exchange does not exist
     */
    public void bindExchange(String destination, String source, String routingKey) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkDeclarable("destination", destination, v);
        AmqpNames.checkDeclarable("source", source, v);
        AmqpNames.checkShortString("routingKey", routingKey, v);
        InvalidRequestException.throwIfAny(v);
        run(ch -> ch.exchangeBind(destination, source, routingKey));
    }

    /** Removes a binding; removing one that does not exist is harmless, but queue and exchange must exist. */
    public void unbind(BindingSpec spec) {
        spec.validate();
        run(ch -> {
            // The broker reports a missing queue or exchange on unbind only in some versions: check both.
            FrameSize.check(ch.getConnection(), bindMethod(spec), "arguments"); // unbind has the same fields
            ch.queueDeclarePassive(spec.queue());
            ch.exchangeDeclarePassive(spec.exchange());
            return ch.queueUnbind(spec.queue(), spec.exchange(), spec.routingKey(), spec.arguments());
        });
    }

    private static AMQP.Queue.Bind bindMethod(BindingSpec spec) {
        return new AMQP.Queue.Bind.Builder()
                .queue(spec.queue())
                .exchange(spec.exchange())
                .routingKey(spec.routingKey())
                .arguments(spec.arguments())
                .build();
    }

    private static void checkQueueName(String name) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkReference("name", name, v);
        InvalidRequestException.throwIfAny(v);
    }

    private boolean exists(ChannelOperation<?> passiveDeclare) {
        try {
            run(passiveDeclare);
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    /** Runs the operation on a channel of a connection of its own, for operations that may close the connection. */
    private <T> T isolated(ChannelOperation<T> operation) {
        return connection.onOwnConnection(c -> onChannel(c, operation));
    }

    private <T> T run(ChannelOperation<T> operation) {
        return onChannel(connection.require(), operation);
    }

    private static <T> T onChannel(Connection c, ChannelOperation<T> operation) {
        Channel ch = null;
        try {
            ch = c.createChannel();
            if (ch == null) {
                throw new BrokerUnavailableException(
                        "the broker connection has no free channel", Duration.ofSeconds(1));
            }
            return operation.apply(ch);
        } catch (IOException | RuntimeException e) {
            throw BrokerErrors.translate(e);
        } finally {
            closeQuietly(ch);
        }
    }

    static void closeQuietly(Channel ch) {
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | TimeoutException | RuntimeException ignored) {
                // closed by the broker meanwhile, or the connection went away: nothing left to release
            }
        }
    }
}
