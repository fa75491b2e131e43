package io.queueservice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JSON objects (message headers, declaration and binding arguments) into AMQP field tables:
 * strings, integers (32-bit when they fit, else 64-bit), finite floating numbers, booleans, null, arrays
 * and nested objects. A number out of those ranges is reported, not rounded, and nesting deeper than
 * {@link #MAX_DEPTH} is refused: the AMQP client encodes tables recursively (and measures each nested one
 * again for every level above it), so a table nested a thousand levels deep overflowed the request
 * thread's stack (a 500, found by the hostile-input fuzzer).
 */
final class FieldTables {
    /** Levels of arrays and objects a value may have inside a table; far more than any real use. */
    static final int MAX_DEPTH = 16;

    private FieldTables() {}

    /** The table, or an empty one for null; problems go to {@code out} under {@code field}. */
    static Map<String, Object> from(String field, Map<String, JsonNode> json, List<Violation> out) {
        Map<String, Object> table = new LinkedHashMap<>();
        if (json != null) {
            json.forEach((key, value) -> table.put(key, value(field + "." + key, value, 1, out)));
        }
        return table;
    }

    private static Object value(String path, JsonNode node, int depth, List<Violation> out) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            if (node.canConvertToInt()) {
                return node.intValue();
            }
            if (node.canConvertToLong()) {
                return node.longValue();
            }
            out.add(new Violation(path, "is out of range: integers must fit in 64 bits"));
            return null;
        }
        if (node.isNumber()) {
            double d = node.doubleValue();
            if (!Double.isFinite(d)) {
                out.add(new Violation(path, "is out of range for a 64-bit floating point number"));
                return null;
            }
            return d;
        }
        if (depth > MAX_DEPTH) {
            out.add(new Violation(
                    path, "is nested too deeply: at most " + MAX_DEPTH + " levels of arrays and objects"));
            return null;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                list.add(value(path + "[" + i + "]", node.get(i), depth + 1, out));
            }
            return list;
        }
        Map<String, Object> table = new LinkedHashMap<>();
        node.properties()
                .forEach(e -> table.put(e.getKey(), value(path + "." + e.getKey(), e.getValue(), depth + 1, out)));
        return table;
    }
}
