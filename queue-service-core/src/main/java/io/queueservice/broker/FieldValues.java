package io.queueservice.broker;

import io.queueservice.validation.Violation;
import java.util.Collections;
import java.util.LinkedHashMap;
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

    /** An unmodifiable copy that keeps order and null values ({@link Map#copyOf} refuses nulls). */
    public static Map<String, Object> copyOf(Map<String, Object> table) {
        return table == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(table));
    }

    /** Adds a violation for each key that is too long and each value of a type not listed above. */
    public static void checkTable(String field, Map<String, Object> table, List<Violation> out) {
        checkEntries(field, table, out);
    }

    private static void checkEntries(String field, Map<?, ?> table, List<Violation> out) {
        if (table == null) {
            return;
        }
        for (Map.Entry<?, ?> e : table.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                out.add(new Violation(field, e.getKey() == null ? "keys must not be empty" : "keys must be strings"));
                continue;
            }
            if (key.isEmpty()) {
                out.add(new Violation(field, "keys must not be empty"));
                continue;
            }
            String path = field + "." + key;
            AmqpNames.checkShortString(path, key, out);
            checkValue(path, e.getValue(), out);
        }
    }

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
            case Map<?, ?> map -> checkEntries(path, map, out);
            default ->
                out.add(new Violation(
                        path,
                        "has an unsupported value type " + value.getClass().getSimpleName()));
        }
    }
}
