package io.queueservice.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * JSON bodies for the hostile-input fuzzer: a valid body of an endpoint, mutated (fields deleted or
 * duplicated, values of the wrong type, huge numbers, deep nesting, very long strings, odd unicode,
 * invalid UTF-8, NUL bytes, unknown fields) and then, sometimes, corrupted as bytes.
 *
 * <p>Every value that names a broker resource (a queue, an exchange, a routing key) starts with the run's
 * prefix, also after mutation, so the fuzzer only ever creates, routes to or deletes its own resources on
 * the shared broker.
 */
final class HostileJson {
    /** A JSON object whose fields may repeat (which a Map cannot hold). */
    static final class Obj {
        final List<Object[]> fields = new ArrayList<>(); // {String key, Object value}

        Obj put(String key, Object value) {
            fields.add(new Object[] {key, value});
            return this;
        }
    }

    /** JSON text (or any bytes) written into the body as is. */
    record Raw(byte[] bytes) {
        static Raw of(String text) {
            return new Raw(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** JSON null (a plain Java null is not kept apart from "absent" in mutation bookkeeping). */
    static final Object NULL = new Object();

    /** Fields whose string value names a broker resource. */
    static final Set<String> NAME_FIELDS = Set.of(
            "name",
            "queue",
            "exchange",
            "routingKey",
            "deadLetterExchange",
            "deadLetterRoutingKey",
            "alternateExchange");

    private static final String[] NUMBERS = {
        "1e400",
        "-1e400",
        "1e-400",
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "2147483648",
        "-2147483649",
        "4294967296",
        "-0",
        "-0.0",
        "0.0e0",
        "NaN",
        "-NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "01",
        "+1",
        ".5",
        "5.",
        "1e",
        "1E+",
        "--1",
        "1_000",
        "9".repeat(1200),
        "0." + "1".repeat(2000),
        "1e99999999999",
        "123456789012345678901234567890",
        "1.7976931348623157e309",
        "4.9e-325"
    };

    private static final String[] UNICODE = {
        "é", "日本語", "😀🚀", "\u202Eevil", "a\u0301", "\uFEFF", "\u2028\u2029", "\uFFFF", "\uD83D\uDE00",
        "Ω≈ç√∫", "\u00A0", "ﷺ", "\u0007\b\f", "\t\n\r", "\"quoted\"", "back\\slash", "<script>", "' OR 1=1 --",
        "${jndi:ldap://127.0.0.1/x}", "%s%n%x", "../../etc/passwd", "/", "#", "*", "amq.fake"
    };

    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xC3, 0x28},
        {(byte) 0xFF},
        {(byte) 0xFE, (byte) 0xFF},
        {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF8, (byte) 0x88},
        {(byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xE2, (byte) 0x82}
    };

    private static final String[] ESCAPES = {
        "\\x41", "\\u12", "\\ud800", "\\udc00\\ud800", "\\u0000", "\\", "\\U0041", "\\'"
    };

    private final Random r;
    private final String prefix;

    HostileJson(Random random, String prefix) {
        this.r = random;
        this.prefix = prefix;
    }

    /** A resource name of this run: the prefix and a short, sometimes odd, suffix. */
    String name() {
        return prefix
                + switch (r.nextInt(10)) {
                    case 0 -> "-" + UNICODE[r.nextInt(UNICODE.length)];
                    case 1 -> "-" + "n".repeat(r.nextBoolean() ? 260 : 40);
                    case 2 -> "-with space";
                    case 3 -> "-\u0000nul";
                    default -> "-" + (char) ('a' + r.nextInt(4)) + r.nextInt(8); // few names, so requests meet
                };
    }

    // --- valid bodies of each endpoint --------------------------------------------------------------

    Obj publish() {
        Obj o = new Obj();
        if (r.nextInt(3) > 0) {
            o.put("exchange", r.nextBoolean() ? "" : prefix + "-x");
        }
        o.put("routingKey", r.nextInt(4) == 0 ? name() : prefix + "-q");
        o.put("message", message(2));
        if (r.nextBoolean()) {
            Obj options = new Obj();
            maybe(options, "persistent", r.nextBoolean());
            maybe(options, "priority", (long) r.nextInt(10));
            maybe(options, "expiration", r.nextBoolean() ? (Object) 60_000L : "60000");
            maybe(
                    options,
                    "headers",
                    new Obj().put("k", "v").put("n", 1L).put("nested", new Obj().put("a", List.of(1L, "b"))));
            maybe(options, "messageId", "id-" + r.nextInt(1000));
            maybe(options, "correlationId", "c-" + r.nextInt(1000));
            maybe(options, "contentType", r.nextBoolean() ? "application/json" : "text/plain");
            maybe(options, "mandatory", r.nextBoolean());
            o.put("options", options);
        }
        return o;
    }

    Obj queue() {
        boolean quorum = r.nextInt(4) == 0;
        // Quorum queues get names of their own, which no path, binding or publish uses: racing requests on
        // one quorum queue name (a delete and a declare, a purge and a declare, a publish and a delete) hit
        // internal errors of RabbitMQ 3.10.8 itself (see docs/reliability.md), not of the service.
        Obj o = new Obj().put("name", quorum ? prefix + "-quorum-" + r.nextInt(4) : name());
        if (quorum || r.nextBoolean()) {
            Obj options = new Obj();
            maybe(options, "durable", r.nextInt(4) > 0);
            if (quorum) {
                options.put("type", "quorum");
            } else {
                maybe(options, "type", "classic");
            }
            maybe(options, "deadLetterExchange", prefix + "-dlx");
            maybe(options, "deadLetterRoutingKey", prefix + "-dlq");
            maybe(options, "messageTtl", (long) r.nextInt(100_000));
            maybe(options, "maxLength", (long) r.nextInt(1000));
            maybe(options, "maxLengthBytes", (long) r.nextInt(1_000_000));
            maybe(options, "overflow", r.nextBoolean() ? "reject-publish" : "drop-head");
            maybe(options, "maxPriority", (long) r.nextInt(10));
            maybe(options, "lazy", r.nextBoolean());
            maybe(options, "autoDelete", r.nextBoolean());
            // A leftover of a failed run expires by itself; the test also deletes what it created.
            options.put("arguments", new Obj().put("x-expires", 600_000L));
            o.put("options", options);
        }
        return o;
    }

    Obj exchange() {
        Obj o = new Obj().put("name", name());
        maybe(o, "type", List.of("direct", "fanout", "topic", "headers").get(r.nextInt(4)));
        if (r.nextBoolean()) {
            Obj options = new Obj();
            maybe(options, "durable", r.nextBoolean());
            maybe(options, "autoDelete", r.nextBoolean());
            maybe(options, "internal", r.nextBoolean());
            maybe(options, "alternateExchange", prefix + "-ae");
            maybe(options, "arguments", new Obj().put("x-note", "fuzz"));
            o.put("options", options);
        }
        return o;
    }

    Obj binding() {
        Obj o = new Obj().put("queue", r.nextBoolean() ? prefix + "-q" : name());
        o.put("exchange", r.nextBoolean() ? prefix + "-x" : name());
        maybe(o, "routingKey", prefix + "-rk");
        maybe(o, "arguments", new Obj().put("x-match", "all").put("k", "v"));
        return o;
    }

    private void maybe(Obj o, String key, Object value) {
        if (r.nextBoolean()) {
            o.put(key, value);
        }
    }

    private Object message(int depth) {
        return switch (depth <= 0 ? r.nextInt(4) : r.nextInt(6)) {
            case 0 -> "hello " + r.nextInt(1000);
            case 1 -> (long) r.nextInt();
            case 2 -> r.nextBoolean();
            case 3 -> NULL;
            case 4 -> new ArrayList<>(List.of(message(depth - 1), message(depth - 1)));
            default -> new Obj().put("k" + r.nextInt(5), message(depth - 1)).put("v", message(depth - 1));
        };
    }

    // --- mutation ---------------------------------------------------------------------------------

    /** Applies one to three mutations to the tree, in place. */
    void mutate(Obj root) {
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            List<Obj> objects = new ArrayList<>();
            collect(root, objects);
            Obj target = objects.get(r.nextInt(objects.size()));
            if (target.fields.isEmpty()) {
                target.put("unknown" + r.nextInt(100), value(false));
                continue;
            }
            Object[] field = target.fields.get(r.nextInt(target.fields.size()));
            boolean nameField = NAME_FIELDS.contains((String) field[0]);
            switch (r.nextInt(8)) {
                case 0 -> target.fields.remove(field);
                case 1 -> target.fields.add(new Object[] {field[0], r.nextBoolean() ? field[1] : value(nameField)});
                case 2 ->
                    target.put(
                            r.nextBoolean() ? "unknown" + r.nextInt(100) : UNICODE[r.nextInt(UNICODE.length)],
                            value(false));
                default -> field[1] = value(nameField);
            }
        }
    }

    private static void collect(Object node, List<Obj> out) {
        if (node instanceof Obj o) {
            out.add(o);
            for (Object[] f : o.fields) {
                collect(f[1], out);
            }
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collect(v, out));
        }
    }

    /**
     * A hostile value; a string for a name field keeps the prefix, in a space of its own ("-m-") that no
     * path names, so nothing declared under such a name is deleted or purged while the fuzzer runs.
     */
    private Object value(boolean nameField) {
        String p = nameField ? prefix + "-m-" : "";
        return switch (r.nextInt(14)) {
            case 0 -> Raw.of(NUMBERS[r.nextInt(NUMBERS.length)]);
            case 1 -> (long) r.nextInt();
            case 2 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            case 3 -> new BigDecimal("1e" + (r.nextInt(700) - 350));
            case 4 -> r.nextBoolean();
            case 5 -> NULL;
            case 6 -> new ArrayList<>(List.of(p + "a", 1L));
            case 7 -> new Obj().put("nested", p + "v");
            case 8 ->
                Raw.of(nesting(List.of(1, 10, 999, 1000, 1001, 5000, 10_000).get(r.nextInt(7))));
            case 9 ->
                p + "s".repeat(List.of(255, 256, 10_000, 100_000, 140_000).get(r.nextInt(5))); // > a 128 KiB frame
            case 10 -> p + UNICODE[r.nextInt(UNICODE.length)];
            case 11 -> rawString(p, BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
            case 12 -> rawString(p, r.nextBoolean() ? new byte[] {0} : new byte[] {'a', 0, 'b'});
            default -> rawString(p, ESCAPES[r.nextInt(ESCAPES.length)].getBytes(StandardCharsets.US_ASCII));
        };
    }

    private Raw rawString(String start, byte[] inside) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write('"');
        b.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(start));
        b.writeBytes(inside);
        b.write('"');
        return new Raw(b.toByteArray());
    }

    private String nesting(int depth) {
        boolean arrays = r.nextBoolean();
        String open = arrays ? "[" : "{\"a\":";
        String close = arrays ? "]" : "}";
        return open.repeat(depth) + "1" + close.repeat(depth);
    }

    // --- bytes ------------------------------------------------------------------------------------

    static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(value, out);
        return out.toByteArray();
    }

    private static void write(Object v, ByteArrayOutputStream out) {
        switch (v) {
            case null -> out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
            case Raw raw -> out.writeBytes(raw.bytes());
            case String s -> {
                out.write('"');
                out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(s));
                out.write('"');
            }
            case Obj o -> {
                out.write('{');
                for (int i = 0; i < o.fields.size(); i++) {
                    if (i > 0) {
                        out.write(',');
                    }
                    write(o.fields.get(i)[0], out);
                    out.write(':');
                    write(o.fields.get(i)[1], out);
                }
                out.write('}');
            }
            case List<?> list -> {
                out.write('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.write(',');
                    }
                    write(list.get(i), out);
                }
                out.write(']');
            }
            case Map<?, ?> m -> throw new IllegalArgumentException("use Obj, not " + m.getClass());
            default -> out.writeBytes((v == NULL ? "null" : v.toString()).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Corrupts serialized JSON as bytes (sometimes leaving it alone). */
    byte[] corrupt(byte[] json) {
        return switch (r.nextInt(14)) {
            case 0 -> json.length == 0 ? json : Arrays.copyOf(json, r.nextInt(json.length));
            case 1 -> insert(json, new byte[] {(byte) r.nextInt(256)});
            case 2 -> flip(json);
            case 3 -> concat(json, " trailing".getBytes(StandardCharsets.US_ASCII));
            case 4 -> concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, json);
            case 5 -> new String(json, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
            case 6 -> new byte[0];
            case 7 ->
                List.of(
                                "[]",
                                "\"text\"",
                                "42",
                                "null",
                                "true",
                                " \n\t ",
                                "{",
                                "}",
                                "{}{}",
                                "[{}]",
                                "/* c */ {}",
                                "{'a':1}")
                        .get(r.nextInt(12))
                        .getBytes(StandardCharsets.UTF_8);
            case 8 -> concat(json, new byte[] {0, 0, 0});
            default -> json;
        };
    }

    /** A random position in the body outside every occurrence of the prefix (which must stay intact). */
    private int position(byte[] b) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 20; attempt++) {
            int at = r.nextInt(b.length);
            boolean inPrefix = false;
            for (int start = Math.max(0, at - p.length + 1); start <= at && !inPrefix; start++) {
                inPrefix = Arrays.equals(b, start, Math.min(b.length, start + p.length), p, 0, p.length);
            }
            if (!inPrefix) {
                return at;
            }
        }
        return 0;
    }

    private byte[] insert(byte[] b, byte[] what) {
        int at = b.length == 0 ? 0 : position(b);
        return concat(concat(Arrays.copyOf(b, at), what), Arrays.copyOfRange(b, at, b.length));
    }

    private byte[] flip(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        byte[] c = b.clone();
        int at = position(c);
        c[at] = (byte) (c[at] ^ (1 << r.nextInt(8)));
        return c;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
