package io.queueservice.broker;

import java.util.List;
import java.util.Map;

/**
 * The values AMQP field tables (headers, declaration and binding arguments) may hold here: {@link
 * String}, {@link Integer}, {@link Long}, {@link Double}, {@link Boolean}, null, and {@link List}s and
 * {@link Map}s of those. Anything else could make the client library fail while writing a frame, which
 * would take the whole connection down, so it is refused before it gets there.
 */
public final class FieldValues {
    private FieldValues() {}

    /** Adds a violation for each key that is too long and each value of a type not listed above. */
    public static void checkTable(String field, Map<String, Object> table, List<Violation> out) {
        if (table == null) {
            return;
        }
        for (Map.Entry<String, Object> e : table.entrySet()) {
            String key = e.getKey();
            String path = field + "." + key;
            if (key == null || key.isEmpty()) {
                out.add(new Violation(field, "keys must not be empty"));
                continue;
            }
            AmqpNames.checkShortString(path, key, out);
            checkValue(path, e.getValue(), out);
        }
    }

    @SuppressWarnings("unchecked")
    private static void checkValue(String path, Object value, List<Violation> out) {
        switch (value) {
            case null -> {}
            case String s -> {}
            case Integer i -> {}
            case Long l -> {}
            case Boolean b -> {}
            case Double d when Double.isFinite(d) -> {}
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    checkValue(path + "[" + i + "]", list.get(i), out);
                }
            }
            case Map<?, ?> map -> checkTable(path, (Map<String, Object>) map, out);
            default -> out.add(new Violation(path, "has an unsupported value type " + value.getClass().getSimpleName()));
        }
    }
}
