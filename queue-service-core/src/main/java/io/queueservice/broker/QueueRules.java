package io.queueservice.broker;

import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The rules a {@link QueueSpec} must follow (RabbitMQ's, and those of its type), its type by default, and its
 * mapping to declaration arguments. Every field is named through the caller's naming, in a violation's field and in messages that refer
 * to another field alike.
 */
final class QueueRules {
    /** RabbitMQ stores TTLs as unsigned 32-bit milliseconds. */
    private static final long MAX_TTL = 4_294_967_295L;

    private final QueueSpec spec;
    private final UnaryOperator<String> name;
    private final List<Violation> v = new ArrayList<>();

    private QueueRules(QueueSpec spec, UnaryOperator<String> name) {
        this.spec = spec;
        this.name = name;
    }

    /** Every rule the spec breaks; empty when it is valid. */
    static List<Violation> violations(QueueSpec spec, UnaryOperator<String> fieldName) {
        QueueRules rules = new QueueRules(spec, fieldName);
        rules.check();
        return rules.v;
    }

    /**
     * The declaration arguments: {@code arguments}, with each option set added as its {@code x-} argument. An
     * option whose argument is in {@code arguments} too is added to {@code conflicts}.
     */
    static Map<String, Object> amqpArguments(
            QueueSpec spec, UnaryOperator<String> fieldName, List<Violation> conflicts) {
        return new QueueRules(spec, fieldName).arguments(conflicts);
    }

    /** See {@link QueueSpec#effectiveType()}. */
    static QueueType effectiveType(QueueSpec spec) {
        if (spec.type() != null) {
            return spec.type();
        }
        Object arg = spec.arguments().get(QueueSpec.TYPE_ARGUMENT);
        for (QueueType t : QueueType.values()) {
            if (t.amqpName().equals(arg)) {
                return t;
            }
        }
        return null;
    }

    /** See {@link QueueSpec#withDefaultType}. */
    static QueueSpec withDefaultType(QueueSpec spec, QueueType defaultType) {
        if (defaultType == QueueType.STREAM) {
            throw new IllegalArgumentException("the default queue type must be classic or quorum");
        }
        if (defaultType == null || spec.type() != null || spec.arguments().containsKey(QueueSpec.TYPE_ARGUMENT)) {
            return spec;
        }
        boolean replicable = spec.durable() && !spec.autoDelete();
        return spec.withType(defaultType == QueueType.QUORUM && !replicable ? QueueType.CLASSIC : defaultType);
    }

    private void check() {
        AmqpNames.checkDeclarable(name.apply("name"), spec.name(), v);
        AmqpNames.checkShortString(name.apply("deadLetterExchange"), spec.deadLetterExchange(), v);
        AmqpNames.checkShortString(name.apply("deadLetterRoutingKey"), spec.deadLetterRoutingKey(), v);
        if (spec.deadLetterRoutingKey() != null && spec.deadLetterExchange() == null) {
            refuse("deadLetterRoutingKey", "needs " + name.apply("deadLetterExchange"));
        }
        range("messageTtl", spec.messageTtl(), MAX_TTL);
        range("maxLength", spec.maxLength(), Long.MAX_VALUE);
        range("maxLengthBytes", spec.maxLengthBytes(), Long.MAX_VALUE);
        Integer maxPriority = spec.maxPriority();
        if (maxPriority != null && (maxPriority < 1 || maxPriority > 255)) {
            refuse("maxPriority", "must be between 1 and 255 but was " + maxPriority);
        }
        QueueType effective = spec.effectiveType();
        if (effective == QueueType.QUORUM || effective == QueueType.STREAM) {
            replicated(effective.amqpName());
        }
        if (effective == QueueType.QUORUM && spec.overflow() == Overflow.REJECT_PUBLISH_DLX) {
            refuse("overflow", "quorum queues support drop-head and reject-publish only");
        }
        quorumOptions(effective);
        if (effective == QueueType.STREAM) {
            unsupportedByStreams("deadLetterExchange", spec.deadLetterExchange());
            unsupportedByStreams("messageTtl", spec.messageTtl());
            unsupportedByStreams("maxLength", spec.maxLength());
            unsupportedByStreams("overflow", spec.overflow());
        }
        FieldValues.checkTable(name.apply("arguments"), spec.arguments(), v);
        arguments(v);
    }

    /** What quorum queues and streams do not have. */
    private void replicated(String type) {
        if (!spec.durable()) {
            refuse("durable", type + " queues are always durable");
        }
        if (spec.autoDelete()) {
            refuse("autoDelete", type + " queues cannot be auto-delete");
        }
        if (spec.maxPriority() != null) {
            refuse("maxPriority", type + " queues do not support priorities");
        }
        if (spec.lazy()) {
            refuse("lazy", "only classic queues can be lazy");
        }
    }

    /** The rules of {@code deliveryLimit}, {@code deadLetterStrategy} and {@code quorumInitialGroupSize}. */
    private void quorumOptions(QueueType effective) {
        quorumOnly(effective, "deliveryLimit", spec.deliveryLimit());
        quorumOnly(effective, "deadLetterStrategy", spec.deadLetterStrategy());
        quorumOnly(effective, "quorumInitialGroupSize", spec.quorumInitialGroupSize());
        if (spec.deliveryLimit() != null && spec.deliveryLimit() < 0) {
            refuse("deliveryLimit", "must be between 0 and " + Integer.MAX_VALUE + " but was " + spec.deliveryLimit());
        }
        if (spec.quorumInitialGroupSize() != null && spec.quorumInitialGroupSize() < 1) {
            refuse(
                    "quorumInitialGroupSize",
                    "must be between 1 and " + Integer.MAX_VALUE + " but was " + spec.quorumInitialGroupSize());
        }
        if (spec.deadLetterStrategy() == DeadLetterStrategy.AT_LEAST_ONCE) {
            // Without both, RabbitMQ accepts the queue and silently dead-letters at most once.
            Map<String, Object> arguments = spec.arguments();
            Object overflowValue = spec.overflow() != null ? spec.overflow().amqpName() : arguments.get("x-overflow");
            String strategy = name.apply("deadLetterStrategy");
            if (!Overflow.REJECT_PUBLISH.amqpName().equals(overflowValue)) {
                refuse(
                        "overflow",
                        "must be reject-publish for " + strategy + " at-least-once but was "
                                + (overflowValue == null ? "not set (drop-head)" : "'" + overflowValue + "'"));
            }
            if (spec.deadLetterExchange() == null && !arguments.containsKey("x-dead-letter-exchange")) {
                refuse("deadLetterExchange", "is required by " + strategy + " at-least-once");
            }
        }
    }

    private void quorumOnly(QueueType effective, String field, Object value) {
        if (value == null || effective == QueueType.QUORUM) {
            return;
        }
        refuse(
                field,
                effective == null
                        ? "is for quorum queues only: set " + name.apply("type") + " to quorum"
                        : "is for quorum queues only, not " + effective.amqpName() + " queues");
    }

    private Map<String, Object> arguments(List<Violation> conflicts) {
        Map<String, Object> args = new LinkedHashMap<>(spec.arguments());
        QueueType type = spec.type();
        Overflow overflow = spec.overflow();
        DeadLetterStrategy strategy = spec.deadLetterStrategy();
        put(args, conflicts, QueueSpec.TYPE_ARGUMENT, "type", type == null ? null : type.amqpName());
        put(args, conflicts, "x-dead-letter-exchange", "deadLetterExchange", spec.deadLetterExchange());
        put(args, conflicts, "x-dead-letter-routing-key", "deadLetterRoutingKey", spec.deadLetterRoutingKey());
        put(args, conflicts, "x-message-ttl", "messageTtl", spec.messageTtl());
        put(args, conflicts, "x-max-length", "maxLength", spec.maxLength());
        put(args, conflicts, "x-max-length-bytes", "maxLengthBytes", spec.maxLengthBytes());
        put(args, conflicts, "x-overflow", "overflow", overflow == null ? null : overflow.amqpName());
        put(args, conflicts, "x-max-priority", "maxPriority", spec.maxPriority());
        put(args, conflicts, "x-queue-mode", "lazy", spec.lazy() ? "lazy" : null);
        put(args, conflicts, "x-delivery-limit", "deliveryLimit", spec.deliveryLimit());
        put(
                args,
                conflicts,
                "x-dead-letter-strategy",
                "deadLetterStrategy",
                strategy == null ? null : strategy.amqpName());
        put(args, conflicts, "x-quorum-initial-group-size", "quorumInitialGroupSize", spec.quorumInitialGroupSize());
        return args;
    }

    private void put(Map<String, Object> args, List<Violation> conflicts, String key, String option, Object value) {
        if (value == null) {
            return;
        }
        if (args.containsKey(key)) {
            conflicts.add(new Violation(
                    name.apply("arguments") + "." + key, "conflicts with " + name.apply(option) + ": set only one"));
        }
        args.put(key, value);
    }

    private void unsupportedByStreams(String field, Object value) {
        if (value != null) {
            refuse(field, "is not supported by stream queues");
        }
    }

    private void range(String field, Long value, long max) {
        if (value != null && (value < 0 || value > max)) {
            refuse(field, "must be between 0 and " + max + " but was " + value);
        }
    }

    private void refuse(String field, String why) {
        v.add(new Violation(name.apply(field), why));
    }
}
