package io.queueservice.broker;

import io.queueservice.validation.InvalidRequestException;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A queue to declare, built with {@link #builder(String)} (or {@link #durable(String)} for a queue with no
 * options). Unset options are null, or false for the flags: the broker's default applies.
 *
 * <pre>{@code
 * QueueSpec orders = QueueSpec.builder("orders")
 *         .type(QueueType.QUORUM)
 *         .deadLetterExchange("orders.dlx")
 *         .messageTtl(60_000L)
 *         .build();
 * }</pre>
 *
 * <p>Its accessors are named as the builder's methods, which say what each option means. Its rules ({@link
 * #validate()}) speak of the options by the names of the builder's methods ({@code
 * messageTtl}, {@code arguments.x-expires}); a caller with names of its own for them passes its naming to
 * {@link #validate(UnaryOperator)}.
 */
public final class QueueSpec {
    /** The declaration argument that carries the queue's type. */
    static final String TYPE_ARGUMENT = "x-queue-type";

    private final String name;
    private final QueueType type;
    private final boolean durable;
    private final boolean autoDelete;
    private final String deadLetterExchange;
    private final String deadLetterRoutingKey;
    private final Long messageTtl;
    private final Long maxLength;
    private final Long maxLengthBytes;
    private final Overflow overflow;
    private final Integer maxPriority;
    private final boolean lazy;
    private final Map<String, Object> arguments;
    private final Integer deliveryLimit;
    private final DeadLetterStrategy deadLetterStrategy;
    private final Integer quorumInitialGroupSize;

    private QueueSpec(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.durable = b.durable;
        this.autoDelete = b.autoDelete;
        this.deadLetterExchange = b.deadLetterExchange;
        this.deadLetterRoutingKey = b.deadLetterRoutingKey;
        this.messageTtl = b.messageTtl;
        this.maxLength = b.maxLength;
        this.maxLengthBytes = b.maxLengthBytes;
        this.overflow = b.overflow;
        this.maxPriority = b.maxPriority;
        this.lazy = b.lazy;
        this.arguments = FieldValues.copyOf(b.arguments);
        this.deliveryLimit = b.deliveryLimit;
        this.deadLetterStrategy = b.deadLetterStrategy;
        this.quorumInitialGroupSize = b.quorumInitialGroupSize;
    }

    /** A queue of this name to build: durable, not auto-delete, no other option set. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A durable queue with no options. */
    public static QueueSpec durable(String name) {
        return builder(name).build();
    }

    /** A builder holding this spec's settings, to derive another spec from it. */
    public Builder toBuilder() {
        return new Builder(name)
                .type(type)
                .durable(durable)
                .autoDelete(autoDelete)
                .deadLetterExchange(deadLetterExchange)
                .deadLetterRoutingKey(deadLetterRoutingKey)
                .messageTtl(messageTtl)
                .maxLength(maxLength)
                .maxLengthBytes(maxLengthBytes)
                .overflow(overflow)
                .maxPriority(maxPriority)
                .lazy(lazy)
                .arguments(arguments)
                .deliveryLimit(deliveryLimit)
                .deadLetterStrategy(deadLetterStrategy)
                .quorumInitialGroupSize(quorumInitialGroupSize);
    }

    public String name() {
        return name;
    }

    public QueueType type() {
        return type;
    }

    public boolean durable() {
        return durable;
    }

    public boolean autoDelete() {
        return autoDelete;
    }

    public String deadLetterExchange() {
        return deadLetterExchange;
    }

    public String deadLetterRoutingKey() {
        return deadLetterRoutingKey;
    }

    public Long messageTtl() {
        return messageTtl;
    }

    public Long maxLength() {
        return maxLength;
    }

    public Long maxLengthBytes() {
        return maxLengthBytes;
    }

    public Overflow overflow() {
        return overflow;
    }

    public Integer maxPriority() {
        return maxPriority;
    }

    public boolean lazy() {
        return lazy;
    }

    /** Further declaration arguments, as AMQP field values (see {@link FieldValues}); never null. */
    public Map<String, Object> arguments() {
        return arguments;
    }

    public Integer deliveryLimit() {
        return deliveryLimit;
    }

    public DeadLetterStrategy deadLetterStrategy() {
        return deadLetterStrategy;
    }

    public Integer quorumInitialGroupSize() {
        return quorumInitialGroupSize;
    }

    /** This spec with another type (null: the default). */
    public QueueSpec withType(QueueType newType) {
        return toBuilder().type(newType).build();
    }

    /**
     * This spec with {@code defaultType} as its type when it names none (neither {@code type} nor an
     * {@code x-queue-type} argument); unchanged when {@code defaultType} is null (the broker's default).
     * A transient or auto-delete queue cannot be a quorum queue: with the default {@code quorum} it gets
     * {@code classic}, as with a virtual host whose default type is quorum (RabbitMQ 3.13+).
     *
     * @throws IllegalArgumentException for {@code stream}, which is no default for queues to work from
     */
    public QueueSpec withDefaultType(QueueType defaultType) {
        return QueueRules.withDefaultType(this, defaultType);
    }

    /**
     * The type this spec asks for: {@code type}, else the {@code x-queue-type} argument; null when it asks
     * for none (the broker's default applies) or the argument names a type unknown here.
     */
    public QueueType effectiveType() {
        return QueueRules.effectiveType(this);
    }

    /**
     * Checks the spec against the rules of RabbitMQ and of its type, naming each field as the builder does
     * ({@code name}, {@code messageTtl}, {@code arguments.x-expires}, ...).
     *
     * @throws InvalidRequestException listing every rule this spec breaks
     */
    public void validate() {
        validate(UnaryOperator.identity());
    }

    /**
     * {@link #validate()}, with the fields named as the caller names them, in the violations' fields and in
     * their messages alike.
     *
     * @param fieldName from a field's name here ({@code messageTtl}, {@code arguments}) to the caller's (say, the
     *     JSON path {@code options.messageTtl}); keys of {@code arguments} are appended to its name after a dot
     * @throws InvalidRequestException listing every rule this spec breaks
     */
    public void validate(UnaryOperator<String> fieldName) {
        InvalidRequestException.throwIfAny(QueueRules.violations(this, fieldName));
    }

    /** The declaration arguments as the broker receives them. */
    public Map<String, Object> amqpArguments() {
        return QueueRules.amqpArguments(this, UnaryOperator.identity(), new ArrayList<>());
    }

    @Override
    public String toString() {
        return "QueueSpec[name=" + name + ", type=" + type + ", durable=" + durable + ", autoDelete=" + autoDelete
                + ", arguments=" + amqpArguments() + "]";
    }

    /** Sets a {@link QueueSpec}'s options one by one; each setter returns the builder. Null unsets an option. */
    public static final class Builder {
        private final String name;
        private QueueType type;
        private boolean durable = true;
        private boolean autoDelete;
        private String deadLetterExchange;
        private String deadLetterRoutingKey;
        private Long messageTtl;
        private Long maxLength;
        private Long maxLengthBytes;
        private Overflow overflow;
        private Integer maxPriority;
        private boolean lazy;
        private Map<String, Object> arguments;
        private Integer deliveryLimit;
        private DeadLetterStrategy deadLetterStrategy;
        private Integer quorumInitialGroupSize;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * The type; null for the default type: {@code DEFAULT_QUEUE_TYPE} where a {@link Topology} has one (see
         * {@link #withDefaultType}), else the broker's (classic unless the virtual host says otherwise).
         */
        public Builder type(QueueType type) {
            this.type = type;
            return this;
        }

        /** Whether the queue survives a broker restart (default true). */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        /** Whether the queue is deleted when its last consumer goes (default false). */
        public Builder autoDelete(boolean autoDelete) {
            this.autoDelete = autoDelete;
            return this;
        }

        /** Where dead-lettered messages go ({@code ""}: the default exchange); null for nowhere. */
        public Builder deadLetterExchange(String exchange) {
            this.deadLetterExchange = exchange;
            return this;
        }

        /** The routing key of dead-lettered messages (needs a dead-letter exchange); null to keep theirs. */
        public Builder deadLetterRoutingKey(String routingKey) {
            this.deadLetterRoutingKey = routingKey;
            return this;
        }

        /** Milliseconds a message may wait in the queue. */
        public Builder messageTtl(Long millis) {
            this.messageTtl = millis;
            return this;
        }

        /** Most ready messages the queue holds. */
        public Builder maxLength(Long messages) {
            this.maxLength = messages;
            return this;
        }

        /** Most bytes of ready message bodies the queue holds. */
        public Builder maxLengthBytes(Long bytes) {
            this.maxLengthBytes = bytes;
            return this;
        }

        /** What the queue does at its length limit. */
        public Builder overflow(Overflow overflow) {
            this.overflow = overflow;
            return this;
        }

        /** Classic queues only: the highest message priority (1 to 255). */
        public Builder maxPriority(Integer maxPriority) {
            this.maxPriority = maxPriority;
            return this;
        }

        /** Classic queues only: keep messages on disk rather than in memory (default false). */
        public Builder lazy(boolean lazy) {
            this.lazy = lazy;
            return this;
        }

        /** Further declaration arguments, as AMQP field values (see {@link FieldValues}); null for none. */
        public Builder arguments(Map<String, Object> arguments) {
            this.arguments = arguments;
            return this;
        }

        /**
         * Quorum queues only: how many times a message may be returned to the queue (rejected or nacked with
         * requeue, or left unacknowledged by a consumer that went away) before it is dead-lettered, or dropped
         * without a dead-letter exchange ({@code x-delivery-limit}).
         */
        public Builder deliveryLimit(Integer deliveryLimit) {
            this.deliveryLimit = deliveryLimit;
            return this;
        }

        /**
         * Quorum queues only ({@code x-dead-letter-strategy}); {@code at-least-once} needs {@code overflow} {@code
         * reject-publish} and a dead-letter exchange.
         */
        public Builder deadLetterStrategy(DeadLetterStrategy strategy) {
            this.deadLetterStrategy = strategy;
            return this;
        }

        /**
         * Quorum queues only: on how many nodes the queue is replicated when created ({@code
         * x-quorum-initial-group-size}); unset: RabbitMQ's default (every node of the cluster on 3.10).
         */
        public Builder quorumInitialGroupSize(Integer nodes) {
            this.quorumInitialGroupSize = nodes;
            return this;
        }

        /** The spec; it is checked when declared (or by {@link QueueSpec#validate()}), not here. */
        public QueueSpec build() {
            return new QueueSpec(this);
        }
    }
}
