package io.queueservice.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A queue to declare. Nullable fields mean "not set": the broker's default applies.
 *
 * @param type null for the broker's default type (classic unless the virtual host says otherwise)
 * @param messageTtl milliseconds a message may wait in the queue
 * @param lazy classic queues only: keep messages on disk rather than in memory
 * @param arguments further declaration arguments, as AMQP field values (see {@link FieldValues})
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
        Map<String, Object> arguments) {

    /** RabbitMQ stores TTLs as unsigned 32-bit milliseconds. */
    private static final long MAX_TTL = 4_294_967_295L;

    public QueueSpec {
        arguments = FieldValues.copyOf(arguments);
    }

    /** A durable queue with no options. */
    public static QueueSpec durable(String name) {
        return new QueueSpec(name, null, true, false, null, null, null, null, null, null, null, false, Map.of());
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
        if (type == QueueType.QUORUM || type == QueueType.STREAM) {
            String t = type.amqpName();
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
        if (type == QueueType.QUORUM && overflow == Overflow.REJECT_PUBLISH_DLX) {
            v.add(new Violation("options.overflow", "quorum queues support drop-head and reject-publish only"));
        }
        if (type == QueueType.STREAM) {
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
        put(args, conflicts, "x-queue-type", "type", type == null ? null : type.amqpName());
        put(args, conflicts, "x-dead-letter-exchange", "deadLetterExchange", deadLetterExchange);
        put(args, conflicts, "x-dead-letter-routing-key", "deadLetterRoutingKey", deadLetterRoutingKey);
        put(args, conflicts, "x-message-ttl", "messageTtl", messageTtl);
        put(args, conflicts, "x-max-length", "maxLength", maxLength);
        put(args, conflicts, "x-max-length-bytes", "maxLengthBytes", maxLengthBytes);
        put(args, conflicts, "x-overflow", "overflow", overflow == null ? null : overflow.amqpName());
        put(args, conflicts, "x-max-priority", "maxPriority", maxPriority);
        put(args, conflicts, "x-queue-mode", "lazy", lazy ? "lazy" : null);
        return args;
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
