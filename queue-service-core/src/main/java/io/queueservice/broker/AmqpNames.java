package io.queueservice.broker;

import io.queueservice.validation.Violation;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The rules AMQP 0-9-1 and RabbitMQ put on names and other short strings. */
public final class AmqpNames {
    /** Longest short string (queue, exchange, routing key, header name): 255 bytes of UTF-8. */
    public static final int MAX_SHORT_STRING_BYTES = 255;

    private static final String RESERVED_PREFIX = "amq.";

    private AmqpNames() {}

    /** A name that may be declared: not empty, at most 255 bytes, not in the reserved {@code amq.} space. */
    public static void checkDeclarable(String field, String value, List<Violation> out) {
        if (checkPresent(field, value, out)) {
            checkShortString(field, value, out);
            if (value.startsWith(RESERVED_PREFIX)) {
                out.add(new Violation(field, "names starting with 'amq.' are reserved for the broker"));
            }
        }
    }

    /** A name of an existing resource: not empty and at most 255 bytes. */
    public static void checkReference(String field, String value, List<Violation> out) {
        if (checkPresent(field, value, out)) {
            checkShortString(field, value, out);
        }
    }

    /** A short string that may be empty (routing key, the default exchange's name ""). */
    public static void checkShortString(String field, String value, List<Violation> out) {
        if (value != null && utf8Length(value) > MAX_SHORT_STRING_BYTES) {
            out.add(new Violation(
                    field,
                    "must be at most " + MAX_SHORT_STRING_BYTES + " bytes of UTF-8 but is " + utf8Length(value)));
        }
    }

    private static boolean checkPresent(String field, String value, List<Violation> out) {
        if (value == null || value.isEmpty()) {
            out.add(new Violation(field, "is required and must not be empty"));
            return false;
        }
        return true;
    }

    private static int utf8Length(String value) {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }
}
