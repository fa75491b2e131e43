package io.queueservice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.queueservice.broker.BindingSpec;
import io.queueservice.broker.DeadLetterStrategy;
import io.queueservice.broker.ExchangeSpec;
import io.queueservice.broker.ExchangeType;
import io.queueservice.broker.Overflow;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/** Bodies of the topology endpoints, as sent, and their translation to the core's specs. */
final class TopologyRequests {
    private TopologyRequests() {}

    /** {@code POST /api/v1/exchanges}. */
    record ExchangeRequest(String name, String type, ExchangeOptions options) {
        ExchangeSpec toSpec() {
            List<Violation> v = new ArrayList<>();
            ExchangeOptions o = options == null ? new ExchangeOptions(null, null, null, null, null) : options;
            ExchangeType t =
                    type == null ? null : parseEnum("type", type, ExchangeType.class, ExchangeType::amqpName, v);
            Map<String, Object> args = FieldTables.from("options.arguments", o.arguments(), v);
            return validated(
                    new ExchangeSpec(
                            name,
                            t,
                            orTrue(o.durable()),
                            orFalse(o.autoDelete()),
                            orFalse(o.internal()),
                            o.alternateExchange(),
                            args),
                    s -> s.validate(ExchangeRequest::jsonPath),
                    v);
        }

        /** The JSON path of a field of the core's spec: name and type at the top, the rest under "options". */
        static String jsonPath(String field) {
            return field.equals("name") || field.equals("type") ? field : "options." + field;
        }
    }

    record ExchangeOptions(
            Boolean durable,
            Boolean autoDelete,
            Boolean internal,
            String alternateExchange,
            Map<String, JsonNode> arguments) {}

    /** {@code POST /api/v1/queues}. */
    record QueueRequest(String name, QueueOptions options) {
        /**
         * The spec, with {@code defaultType} ({@code DEFAULT_QUEUE_TYPE}; null for the broker's) when it
         * names none, validated as that type.
         */
        QueueSpec toSpec(QueueType defaultType) {
            List<Violation> v = new ArrayList<>();
            QueueOptions o = options == null ? QueueOptions.NONE : options;
            QueueType type = o.type() == null
                    ? null
                    : parseEnum("options.type", o.type(), QueueType.class, QueueType::amqpName, v);
            Overflow overflow = o.overflow() == null
                    ? null
                    : parseEnum("options.overflow", o.overflow(), Overflow.class, Overflow::amqpName, v);
            DeadLetterStrategy strategy = o.deadLetterStrategy() == null
                    ? null
                    : parseEnum(
                            "options.deadLetterStrategy",
                            o.deadLetterStrategy(),
                            DeadLetterStrategy.class,
                            DeadLetterStrategy::amqpName,
                            v);
            Map<String, Object> args = FieldTables.from("options.arguments", o.arguments(), v);
            QueueSpec asked = QueueSpec.builder(name)
                    .type(type)
                    .durable(orTrue(o.durable()))
                    .autoDelete(orFalse(o.autoDelete()))
                    .deadLetterExchange(o.deadLetterExchange())
                    .deadLetterRoutingKey(o.deadLetterRoutingKey())
                    .messageTtl(o.messageTtl())
                    .maxLength(o.maxLength())
                    .maxLengthBytes(o.maxLengthBytes())
                    .overflow(overflow)
                    .maxPriority(o.maxPriority())
                    .lazy(orFalse(o.lazy()))
                    .arguments(args)
                    .deliveryLimit(o.deliveryLimit())
                    .deadLetterStrategy(strategy)
                    .quorumInitialGroupSize(o.quorumInitialGroupSize())
                    .build();
            QueueSpec spec = o.type() == null ? asked.withDefaultType(defaultType) : asked;
            if (spec.type() != asked.type() && !violations(asked).containsAll(violations(spec))) {
                // A rule of the type the queue got by default, not one the request asked for: say so.
                v.add(new Violation(
                        "options.type",
                        "is not set, so the queue is " + spec.type().amqpName() + " (DEFAULT_QUEUE_TYPE); set"
                                + " options.type to classic for what only classic queues support"));
            }
            return validated(spec, s -> s.validate(QueueRequest::jsonPath), v);
        }

        /** The JSON path of a field of the core's spec: the name at the top, every option under "options". */
        static String jsonPath(String field) {
            return field.equals("name") ? field : "options." + field;
        }

        private static List<Violation> violations(QueueSpec spec) {
            try {
                spec.validate(QueueRequest::jsonPath);
                return List.of();
            } catch (InvalidRequestException e) {
                return e.violations();
            }
        }
    }

    record QueueOptions(
            Boolean durable,
            String deadLetterExchange,
            String deadLetterRoutingKey,
            Long messageTtl,
            Long maxLength,
            Long maxLengthBytes,
            String overflow,
            Integer maxPriority,
            Boolean lazy,
            String type,
            Boolean autoDelete,
            Map<String, JsonNode> arguments,
            Integer deliveryLimit,
            String deadLetterStrategy,
            Integer quorumInitialGroupSize) {
        static final QueueOptions NONE = new QueueOptions(
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** {@code POST} and {@code DELETE /api/v1/bindings}. */
    record BindingRequest(String queue, String exchange, String routingKey, Map<String, JsonNode> arguments) {
        BindingSpec toSpec() {
            List<Violation> v = new ArrayList<>();
            Map<String, Object> args = FieldTables.from("arguments", arguments, v);
            return validated(new BindingSpec(queue, exchange, routingKey, args), BindingSpec::validate, v);
        }
    }

    /**
     * The spec, when neither reading the request ({@code found}) nor the spec's own rules found a problem;
     * otherwise every problem at once, one per field.
     */
    private static <S> S validated(S spec, Consumer<S> validate, List<Violation> found) {
        List<Violation> all = new ArrayList<>(found);
        try {
            validate.accept(spec);
        } catch (InvalidRequestException e) {
            Set<String> reported = new HashSet<>();
            found.forEach(v -> reported.add(v.field()));
            e.violations().stream().filter(v -> !reported.contains(v.field())).forEach(all::add);
        }
        InvalidRequestException.throwIfAny(all);
        return spec;
    }

    private static boolean orTrue(Boolean b) {
        return b == null || b;
    }

    private static boolean orFalse(Boolean b) {
        return b != null && b;
    }

    private static <E extends Enum<E>> E parseEnum(
            String field, String value, Class<E> type, Function<E, String> name, List<Violation> v) {
        for (E e : type.getEnumConstants()) {
            if (name.apply(e).equals(value)) {
                return e;
            }
        }
        v.add(new Violation(
                field,
                "must be one of "
                        + Arrays.stream(type.getEnumConstants()).map(name).toList() + " but was '" + value + "'"));
        return null;
    }
}
