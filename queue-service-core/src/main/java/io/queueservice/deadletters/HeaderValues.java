package io.queueservice.deadletters;

import com.rabbitmq.client.LongString;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMQP field values (headers) as plain values anyone can display: text, numbers, booleans, lists and maps of
 * those. Timestamps become ISO-8601 text and byte arrays base64 text; the client library's {@link LongString}
 * becomes a string.
 */
public final class HeaderValues {
    private HeaderValues() {}

    /** The headers of a message as plain values, in their order; empty for none. */
    public static Map<String, Object> plain(Map<String, Object> headers) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((k, v) -> out.put(k, plain(v)));
        }
        return out;
    }

    static Object plain(Object value) {
        return switch (value) {
            case null -> null;
            case LongString s -> s.toString();
            case String s -> s;
            case Boolean b -> b;
            case BigDecimal d -> d;
            case Number n -> n;
            case Date d -> d.toInstant().toString();
            case byte[] bytes -> Base64.getEncoder().encodeToString(bytes);
            case List<?> list -> {
                List<Object> items = new ArrayList<>(list.size());
                list.forEach(item -> items.add(plain(item)));
                yield items;
            }
            case Map<?, ?> map -> {
                Map<String, Object> table = new LinkedHashMap<>();
                map.forEach((k, v) -> table.put(String.valueOf(k), plain(v)));
                yield table;
            }
            default -> value.toString();
        };
    }

    /** A header value as text (a string or the client's long string), or null. */
    static String text(Object value) {
        return value instanceof LongString || value instanceof String ? value.toString() : null;
    }

    /** A header value as an instant: an AMQP timestamp, or ISO-8601 text; null when it is neither. */
    static Instant instant(Object value) {
        if (value instanceof Date d) {
            return d.toInstant();
        }
        String text = text(value);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
