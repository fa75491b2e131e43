package io.queueservice.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** @throws InvalidRequestException listing every rule this spec breaks */
    public void validate() {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkDeclarable("name", name, v);
        if (type == null) {
            v.add(new Violation("type", "is required: one of direct, fanout, topic, headers"));
        }
        AmqpNames.checkShortString("options.alternateExchange", alternateExchange, v);
        FieldValues.checkTable("options.arguments", arguments, v);
        if (alternateExchange != null && arguments.containsKey("alternate-exchange")) {
            v.add(new Violation(
                    "options.arguments.alternate-exchange", "conflicts with options.alternateExchange: set only one"));
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
