package io.queueservice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.queueservice.broker.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns JSON objects (message headers, declaration and binding arguments) into AMQP field tables:
 * strings, integers (32-bit when they fit, else 64-bit), finite floating numbers, booleans, null, arrays
 * and nested objects. A number out of those ranges is reported, not rounded.
 */
final class FieldTables {
    private FieldTables() {}

    /** The table, or an empty one for null; problems go to {@code out} under {@code field}. */
    static Map<String, Object> from(String field, Map<String, JsonNode> json, List<Violation> out) {
        Map<String, Object> table = new LinkedHashMap<>();
        if (json != null) {
            json.forEach((key, value) -> table.put(key, value(field + "." + key, value, out)));
        }
        return table;
    }

    private static Object value(String path, JsonNode node, List<Violation> out) {
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
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                list.add(value(path + "[" + i + "]", node.get(i), out));
            }
            return list;
        }
        Map<String, Object> table = new LinkedHashMap<>();
        node.properties().forEach(e -> table.put(e.getKey(), value(path + "." + e.getKey(), e.getValue(), out)));
        return table;
    }
}
