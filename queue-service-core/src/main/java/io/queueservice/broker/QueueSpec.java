package io.queueservice.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A queue to declare. Nullable fields mean "not set": the broker's default applies.
 *
 * @param type null for the default type: {@code DEFAULT_QUEUE_TYPE} where a {@link Topology} has one
 *     (see {@link #withDefaultType}), else the broker's (classic unless the virtual host says otherwise)
 * @param messageTtl milliseconds a message may wait in the queue
 * @param lazy classic queues only: keep messages on disk rather than in memory
 * @param arguments further declaration arguments, as AMQP field values (see {@link FieldValues})
 * @param deliveryLimit quorum queues only: how many times a message may be returned to the queue (rejected
 *     or nacked with requeue, or left unacknowledged by a consumer that went away) before it is dead-lettered,
 *     or dropped without a dead-letter exchange ({@code x-delivery-limit})
 * @param deadLetterStrategy quorum queues only ({@code x-dead-letter-strategy}); {@code at-least-once}
 *     needs {@code overflow} {@code reject-publish} and a dead-letter exchange
 * @param quorumInitialGroupSize quorum queues only: on how many nodes the queue is replicated when created
 *     ({@code x-quorum-initial-group-size}); unset: RabbitMQ's default (every node of the cluster on 3.10)
 */
public record QueueSpec(
        String name,
        QueueType type,
        boolean durable,
        boolean autoDelete,
        String deadLetterExchange,
        String deadLetterRoutingKey,
        Long messageTtl,
        Long maxLength,
        Long maxLengthBytes,
        Overflow overflow,
        Integer maxPriority,
        boolean lazy,
        Map<String, Object> arguments,
        Integer deliveryLimit,
        DeadLetterStrategy deadLetterStrategy,
        Integer quorumInitialGroupSize) {

    /** RabbitMQ stores TTLs as unsigned 32-bit milliseconds. */
    private static final long MAX_TTL = 4_294_967_295L;

    /** The declaration argument that carries the queue's type. */
    static final String TYPE_ARGUMENT = "x-queue-type";

    public QueueSpec {
        arguments = FieldValues.copyOf(arguments);
    }

    /** A queue without the quorum-only options. */
    public QueueSpec(
            String name,
            QueueType type,
            boolean durable,
            boolean autoDelete,
            String deadLetterExchange,
            String deadLetterRoutingKey,
            Long messageTtl,
            Long maxLength,
            Long maxLengthBytes,
            Overflow overflow,
            Integer maxPriority,
            boolean lazy,
            Map<String, Object> arguments) {
        this(
                name,
                type,
                durable,
                autoDelete,
                deadLetterExchange,
                deadLetterRoutingKey,
                messageTtl,
                maxLength,
                maxLengthBytes,
                overflow,
                maxPriority,
                lazy,
                arguments,
                null,
                null,
                null);
    }

    /** A durable queue with no options. */
    public static QueueSpec durable(String name) {
        return new QueueSpec(name, null, true, false, null, null, null, null, null, null, null, false, Map.of());
    }

    /** This spec with another type (null: the default). */
    public QueueSpec withType(QueueType newType) {
        return new QueueSpec(
                name,
                newType,
                durable,
                autoDelete,
                deadLetterExchange,
                deadLetterRoutingKey,
                messageTtl,
                maxLength,
                maxLengthBytes,
                overflow,
                maxPriority,
                lazy,
                arguments,
                deliveryLimit,
                deadLetterStrategy,
                quorumInitialGroupSize);
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
        if (defaultType == QueueType.STREAM) {
            throw new IllegalArgumentException("the default queue type must be classic or quorum");
        }
        if (defaultType == null || type != null || arguments.containsKey(TYPE_ARGUMENT)) {
            return this;
        }
        boolean replicable = durable && !autoDelete;
        return withType(defaultType == QueueType.QUORUM && !replicable ? QueueType.CLASSIC : defaultType);
    }

    /**
     * The type this spec asks for: {@code type}, else the {@code x-queue-type} argument; null when it asks
     * for none (the broker's default applies) or the argument names a type unknown here.
     */
    public QueueType effectiveType() {
        if (type != null) {
            return type;
        }
        Object arg = arguments.get(TYPE_ARGUMENT);
        for (QueueType t : QueueType.values()) {
            if (t.amqpName().equals(arg)) {
                return t;
            }
        }
        return null;
    }

    /** @throws InvalidRequestException listing every rule this spec breaks */
    public void validate() {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkDeclarable("name", name, v);
        AmqpNames.checkShortString("options.deadLetterExchange", deadLetterExchange, v);
        AmqpNames.checkShortString("options.deadLetterRoutingKey", deadLetterRoutingKey, v);
        if (deadLetterRoutingKey != null && deadLetterExchange == null) {
            v.add(new Violation("options.deadLetterRoutingKey", "needs options.deadLetterExchange"));
        }
        range(v, "options.messageTtl", messageTtl, MAX_TTL);
        range(v, "options.maxLength", maxLength, Long.MAX_VALUE);
        range(v, "options.maxLengthBytes", maxLengthBytes, Long.MAX_VALUE);
        if (maxPriority != null && (maxPriority < 1 || maxPriority > 255)) {
            v.add(new Violation("options.maxPriority", "must be between 1 and 255 but was " + maxPriority));
        }
        QueueType effective = effectiveType();
        if (effective == QueueType.QUORUM || effective == QueueType.STREAM) {
            String t = effective.amqpName();
            if (!durable) {
                v.add(new Violation("options.durable", t + " queues are always durable"));
            }
            if (autoDelete) {
                v.add(new Violation("options.autoDelete", t + " queues cannot be auto-delete"));
            }
            if (maxPriority != null) {
                v.add(new Violation("options.maxPriority", t + " queues do not support priorities"));
            }
            if (lazy) {
                v.add(new Violation("options.lazy", "only classic queues can be lazy"));
            }
        }
        if (effective == QueueType.QUORUM && overflow == Overflow.REJECT_PUBLISH_DLX) {
            v.add(new Violation("options.overflow", "quorum queues support drop-head and reject-publish only"));
        }
        quorumOptions(effective, v);
        if (effective == QueueType.STREAM) {
            unsupportedByStreams(v, "options.deadLetterExchange", deadLetterExchange);
            unsupportedByStreams(v, "options.messageTtl", messageTtl);
            unsupportedByStreams(v, "options.maxLength", maxLength);
            unsupportedByStreams(v, "options.overflow", overflow);
        }
        FieldValues.checkTable("options.arguments", arguments, v);
        amqpArguments(v);
        InvalidRequestException.throwIfAny(v);
    }

    /** The declaration arguments as the broker receives them. */
    public Map<String, Object> amqpArguments() {
        return amqpArguments(new ArrayList<>());
    }

    private Map<String, Object> amqpArguments(List<Violation> conflicts) {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        put(args, conflicts, TYPE_ARGUMENT, "type", type == null ? null : type.amqpName());
        put(args, conflicts, "x-dead-letter-exchange", "deadLetterExchange", deadLetterExchange);
        put(args, conflicts, "x-dead-letter-routing-key", "deadLetterRoutingKey", deadLetterRoutingKey);
        put(args, conflicts, "x-message-ttl", "messageTtl", messageTtl);
        put(args, conflicts, "x-max-length", "maxLength", maxLength);
        put(args, conflicts, "x-max-length-bytes", "maxLengthBytes", maxLengthBytes);
        put(args, conflicts, "x-overflow", "overflow", overflow == null ? null : overflow.amqpName());
        put(args, conflicts, "x-max-priority", "maxPriority", maxPriority);
        put(args, conflicts, "x-queue-mode", "lazy", lazy ? "lazy" : null);
        put(args, conflicts, "x-delivery-limit", "deliveryLimit", deliveryLimit);
        put(
                args,
                conflicts,
                "x-dead-letter-strategy",
                "deadLetterStrategy",
                deadLetterStrategy == null ? null : deadLetterStrategy.amqpName());
        put(args, conflicts, "x-quorum-initial-group-size", "quorumInitialGroupSize", quorumInitialGroupSize);
        return args;
    }

    /** The rules of {@link #deliveryLimit}, {@link #deadLetterStrategy} and {@link #quorumInitialGroupSize}. */
    private void quorumOptions(QueueType effective, List<Violation> v) {
        quorumOnly(v, effective, "options.deliveryLimit", deliveryLimit);
        quorumOnly(v, effective, "options.deadLetterStrategy", deadLetterStrategy);
        quorumOnly(v, effective, "options.quorumInitialGroupSize", quorumInitialGroupSize);
        if (deliveryLimit != null && deliveryLimit < 0) {
            v.add(new Violation(
                    "options.deliveryLimit",
                    "must be between 0 and " + Integer.MAX_VALUE + " but was " + deliveryLimit));
        }
        if (quorumInitialGroupSize != null && quorumInitialGroupSize < 1) {
            v.add(new Violation(
                    "options.quorumInitialGroupSize",
                    "must be between 1 and " + Integer.MAX_VALUE + " but was " + quorumInitialGroupSize));
        }
        if (deadLetterStrategy == DeadLetterStrategy.AT_LEAST_ONCE) {
            // Without both, RabbitMQ accepts the queue and silently dead-letters at most once.
            Object overflowValue = overflow != null ? overflow.amqpName() : arguments.get("x-overflow");
            if (!Overflow.REJECT_PUBLISH.amqpName().equals(overflowValue)) {
                v.add(new Violation(
                        "options.overflow",
                        "must be reject-publish for options.deadLetterStrategy at-least-once but was "
                                + (overflowValue == null ? "not set (drop-head)" : "'" + overflowValue + "'")));
            }
            if (deadLetterExchange == null && !arguments.containsKey("x-dead-letter-exchange")) {
                v.add(new Violation(
                        "options.deadLetterExchange", "is required by options.deadLetterStrategy at-least-once"));
            }
        }
    }

    private static void quorumOnly(List<Violation> v, QueueType effective, String field, Object value) {
        if (value == null || effective == QueueType.QUORUM) {
            return;
        }
        v.add(new Violation(
                field,
                effective == null
                        ? "is for quorum queues only: set options.type to quorum"
                        : "is for quorum queues only, not " + effective.amqpName() + " queues"));
    }

    private static void put(
            Map<String, Object> args, List<Violation> conflicts, String key, String option, Object value) {
        if (value == null) {
            return;
        }
        if (args.containsKey(key)) {
            conflicts.add(
                    new Violation("options.arguments." + key, "conflicts with options." + option + ": set only one"));
        }
        args.put(key, value);
    }

    private static void unsupportedByStreams(List<Violation> v, String field, Object value) {
        if (value != null) {
            v.add(new Violation(field, "is not supported by stream queues"));
        }
    }

    private static void range(List<Violation> v, String field, Long value, long max) {
        if (value != null && (value < 0 || value > max)) {
            v.add(new Violation(field, "must be between 0 and " + max + " but was " + value));
        }
    }
}
