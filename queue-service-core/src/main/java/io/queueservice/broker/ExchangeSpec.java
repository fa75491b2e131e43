package io.queueservice.broker;

import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An exchange to declare.
 *
 * @param alternateExchange where messages no binding matches go instead of being dropped, or null
 * @param arguments further declaration arguments, as AMQP field values (see {@link FieldValues})
 */
public record ExchangeSpec(
        String name,
        ExchangeType type,
        boolean durable,
        boolean autoDelete,
        boolean internal,
        String alternateExchange,
        Map<String, Object> arguments) {

    public ExchangeSpec {
        arguments = FieldValues.copyOf(arguments);
    }

    /** A durable exchange of this type with no options. */
    public static ExchangeSpec durable(String name, ExchangeType type) {
        return new ExchangeSpec(name, type, true, false, false, null, Map.of());
    }

    /**
     * Checks the spec against RabbitMQ's rules, naming each field as the record does ({@code name}, {@code
     * alternateExchange}, {@code arguments.x-...}).
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
     * @param fieldName from a field's name here ({@code alternateExchange}, {@code arguments}) to the caller's;
     *     keys of {@code arguments} are appended to its name after a dot
     * @throws InvalidRequestException listing every rule this spec breaks
     */
    public void validate(UnaryOperator<String> fieldName) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkDeclarable(fieldName.apply("name"), name, v);
        if (type == null) {
            v.add(new Violation(fieldName.apply("type"), "is required: one of direct, fanout, topic, headers"));
        }
        AmqpNames.checkShortString(fieldName.apply("alternateExchange"), alternateExchange, v);
        FieldValues.checkTable(fieldName.apply("arguments"), arguments, v);
        if (alternateExchange != null && arguments.containsKey("alternate-exchange")) {
            v.add(new Violation(
                    fieldName.apply("arguments") + ".alternate-exchange",
                    "conflicts with " + fieldName.apply("alternateExchange") + ": set only one"));
        }
        InvalidRequestException.throwIfAny(v);
    }

    /** The declaration arguments as the broker receives them. */
    public Map<String, Object> amqpArguments() {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        if (alternateExchange != null) {
            args.put("alternate-exchange", alternateExchange);
        }
        return args;
    }
}
