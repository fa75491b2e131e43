package io.queueservice.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Generates the hostile-input fuzzer's requests, as raw HTTP/1.1 bytes: against every endpoint, with
 * mutated JSON bodies ({@link HostileJson}), wrong content types, odd or broken headers, odd methods,
 * paths and query strings, broken request lines and framing, and broken {@code Authorization} headers.
 *
 * <p>Request {@code i} of a run depends only on the run's seed and {@code i}, so a failing request can be
 * generated again alone ({@link #request(long, int)}).
 */
final class HostileRequests {
    /** What the fuzzer sends and what it was meant to exercise. */
    record Case(int index, String kind, String method, byte[] bytes) {
        /** The start of the request, printable, for a failure report. */
        String preview() {
            String text = new String(bytes, 0, Math.min(bytes.length, 600), StandardCharsets.ISO_8859_1);
            StringBuilder b = new StringBuilder();
            for (char c : text.toCharArray()) {
                b.append(c == '\n' || (c >= 0x20 && c < 0x7F) ? String.valueOf(c) : String.format("\\x%02x", (int) c));
            }
            return b + (bytes.length > 600 ? "... (" + bytes.length + " bytes)" : "");
        }
    }

    private record Endpoint(String method, String path, boolean named, String body) {}

    /** Every route of the service; {name} is a queue or exchange name, body names the body's template. */
    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST", "/api/v1/publish", false, "publish"),
            new Endpoint("POST", "/api/v1/exchanges", false, "exchange"),
            new Endpoint("DELETE", "/api/v1/exchanges/", true, null),
            new Endpoint("GET", "/api/v1/queues", false, null),
            new Endpoint("POST", "/api/v1/queues", false, "queue"),
            new Endpoint("GET", "/api/v1/queues/", true, null),
            new Endpoint("DELETE", "/api/v1/queues/", true, null),
            new Endpoint("POST", "/api/v1/queues/", true, "purge"),
            new Endpoint("POST", "/api/v1/bindings", false, "binding"),
            new Endpoint("DELETE", "/api/v1/bindings", false, "binding"),
            new Endpoint("GET", "/healthz", false, null),
            new Endpoint("GET", "/healthz/ready", false, null),
            new Endpoint("GET", "/metrics", false, null));

    private static final String[] METHODS = {
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
        "TRACE",
        "CONNECT",
        "get",
        "FOO",
        "PRI",
        "M-SEARCH",
        "GET\u0000",
        "PROPFIND",
        "X".repeat(300),
        "POST ",
        "DELETE\t"
    };

    private static final String[] CONTENT_TYPES = {
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "multipart/form-data",
        "application/json; charset=utf-16",
        "application/json; charset=nonsense",
        "application/json;;;",
        "",
        "*/*",
        "application/problem+json",
        "application/octet-stream",
        "ap\u00e9lication/json",
        "application/json; boundary=\"" + "x".repeat(5000) + "\""
    };

    private final long seed;
    private final int port;
    private final String prefix;
    private final String token;
    private final List<String> badTokens;

    /**
     * @param token a valid token with every scope
     * @param badTokens tokens that must be refused (wrong key, expired, unsigned, ...)
     */
    HostileRequests(long seed, int port, String prefix, String token, List<String> badTokens) {
        this.seed = seed;
        this.port = port;
        this.prefix = prefix;
        this.token = token;
        this.badTokens = badTokens;
    }

    /** Request {@code index} of the run with {@code seed}. */
    Case request(int index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        HostileJson json = new HostileJson(r, prefix);
        Endpoint e = ENDPOINTS.get(r.nextInt(ENDPOINTS.size()));
        String method = e.method();
        String path = e.path() + (e.named() ? encode(json.name()) + ("purge".equals(e.body()) ? "/purge" : "") : "");
        byte[] body = body(e, json, r);
        String contentType = "application/json";
        String auth = "Bearer " + token;
        List<String> headers = new ArrayList<>();
        String kind;
        int dice = r.nextInt(100);
        if (dice < 12) {
            kind = "valid";
        } else if (dice < 55) {
            kind = "json";
            if (e.body() != null && !"purge".equals(e.body())) {
                HostileJson.Obj tree = template(e.body(), json);
                json.mutate(tree);
                body = json.corrupt(HostileJson.write(tree));
            } else {
                body = json.corrupt(HostileJson.write(json.publish()));
            }
        } else if (dice < 65) {
            kind = "path";
            path = oddPath(e, json, r);
        } else if (dice < 72) {
            kind = "content-type";
            contentType = CONTENT_TYPES[r.nextInt(CONTENT_TYPES.length)];
            if (r.nextInt(4) == 0) {
                headers.add("Content-Type: text/plain");
            }
        } else if (dice < 80) {
            kind = "headers";
            headers.addAll(oddHeaders(r));
        } else if (dice < 85) {
            kind = "method";
            method = METHODS[r.nextInt(METHODS.length)];
        } else if (dice < 93) {
            kind = "auth";
            auth = brokenAuth(r);
        } else {
            kind = "framing";
            return new Case(index, kind, method, framing(r, method, path, body, auth));
        }
        return new Case(index, kind, method, assemble(method, path, "HTTP/1.1", contentType, auth, headers, body));
    }

    private byte[] body(Endpoint e, HostileJson json, Random r) {
        if (e.body() == null || "purge".equals(e.body())) {
            return r.nextInt(10) == 0 ? HostileJson.write(json.queue()) : new byte[0];
        }
        return HostileJson.write(template(e.body(), json));
    }

    private static HostileJson.Obj template(String name, HostileJson json) {
        return switch (name) {
            case "publish" -> json.publish();
            case "exchange" -> json.exchange();
            case "queue" -> json.queue();
            default -> json.binding();
        };
    }

    private byte[] assemble(
            String method,
            String path,
            String version,
            String contentType,
            String auth,
            List<String> headers,
            byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(' ').append(version).append("\r\n");
        head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        head.append("Connection: close\r\n");
        if (auth != null) {
            head.append("Authorization: ").append(auth).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        headers.forEach(h -> head.append(h).append("\r\n"));
        if (headers.stream()
                .noneMatch(h -> h.regionMatches(true, 0, "Content-Length", 0, 14)
                        || h.regionMatches(true, 0, "Transfer-Encoding", 0, 17))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        // ISO-8859-1 keeps chars 0x80-0xFF as single raw bytes; anything above goes out as UTF-8 below
        out.writeBytes(encodeHead(head.toString()));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Chars up to 0xFF as one byte each (raw non-ASCII bytes), others as UTF-8. */
    private static byte[] encodeHead(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0xFF) {
                out.write(c);
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    /** Percent-encodes every byte of the UTF-8 name outside the unreserved set. */
    static String encode(String name) {
        StringBuilder b = new StringBuilder();
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
            }
        }
        return b.toString();
    }

    /**
     * An odd path or query for the endpoint. Where a path could resolve to a named route, the name (the
     * last segment after normalisation) still starts with the prefix: the fuzzer never names another's queue.
     */
    private String oddPath(Endpoint e, HostileJson json, Random r) {
        String base = e.path();
        String name = encode(json.name());
        String p = prefix;
        return switch (r.nextInt(22)) {
            case 0 -> base + "x/../" + name;
            case 1 -> "/api/v1/queues/..%2F" + name;
            case 2 -> "/api/v1/exchanges/../queues/" + name;
            case 3 -> "/api/v1/queues/%2e%2e/" + name;
            case 4 -> "/../../../etc/passwd";
            case 5 -> "/api/v1/queues/" + p + "%00";
            case 6 -> "/api/v1/queues/" + p + "%zz";
            case 7 -> "/api/v1/queues/" + p + "%";
            case 8 -> "/api/v1/queues/" + p + "%C3%28";
            case 9 ->
                "/api/v1/queues/" + p + "-"
                        + "a".repeat(List.of(300, 5_000, 20_000).get(r.nextInt(3)));
            case 10 -> "/api/v1/queues/" + p + "\u00e9\u00ff";
            case 11 -> "/api/v1/queues/" + p + "-" + "\u65e5\u672c";
            case 12 ->
                base + "?ifUnused="
                        + List.of("maybe", "%zz", "%00", "", "true&ifUnused=false", "TRUE")
                                .get(r.nextInt(6));
            case 13 -> base + (e.named() ? name : "") + "?ifEmpty=yes&" + "a=b&".repeat(r.nextInt(2000));
            case 14 -> base + "?" + "%".repeat(50) + "&=&&==";
            case 15 -> "//api//v1//queues//" + name;
            case 16 -> "/api/v1/queues/" + name + ";jsessionid=1";
            case 17 -> "/api/v1/queues/" + name + "#fragment";
            case 18 -> "http://127.0.0.1:" + port + base + (e.named() ? name : "");
            case 19 -> "*";
            case 20 -> "/api/v1/queues/" + p + "\\..\\" + p;
            default ->
                List.of(
                                "/",
                                "/api",
                                "/api/v1",
                                "/api/v2/publish",
                                "/API/V1/PUBLISH",
                                "/healthz/",
                                "/healthz/ready/x",
                                "/metrics.json",
                                "/favicon.ico",
                                "/api/v1/publish/")
                        .get(r.nextInt(10));
        };
    }

    private List<String> oddHeaders(Random r) {
        return switch (r.nextInt(16)) {
            case 0 ->
                List.of("X-Big: "
                        + "b".repeat(List.of(8_000, 15_000, 20_000, 70_000).get(r.nextInt(4))));
            case 1 -> List.of("Content-Type: text/plain", "Content-Type: application/json");
            case 2 ->
                List.of("X-Request-Id: "
                        + List.of("\u00e9\u00ff", "a".repeat(5000), "\u0001\u0002", " ", "id with spaces", "${jndi:x}")
                                .get(r.nextInt(6)));
            case 3 ->
                List.of(
                        "traceparent: "
                                + List.of(
                                                "00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01",
                                                "garbage",
                                                "ff-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01",
                                                "00-\u00e9")
                                        .get(r.nextInt(4)),
                        "tracestate: " + "k=v,".repeat(r.nextInt(300)));
            case 4 -> List.of("X-Non-Ascii: caf\u00e9 \u00ff\u00fe");
            case 5 -> List.of("Bad Header: space in name");
            case 6 -> List.of("NoColonHere");
            case 7 -> List.of("X-Folded: a", " continued line");
            case 8 -> List.of("Content-Encoding: gzip");
            case 9 ->
                List.of("Content-Encoding: "
                        + List.of("deflate", "br", "identity, gzip", "nonsense").get(r.nextInt(4)));
            case 10 -> List.of("Expect: " + (r.nextBoolean() ? "100-continue" : "teapot"));
            case 11 -> many(r, "X-Many-", 100 + r.nextInt(400));
            case 12 -> List.of("Host: other.example", "Host: 127.0.0.1");
            case 13 ->
                List.of(
                        "Accept: "
                                + List.of("text/html", "application/xml", "*/*;q=x", "\u00e9")
                                        .get(r.nextInt(4)),
                        "Accept-Charset: nonsense",
                        "Accept-Encoding: gzip;q=nonsense");
            case 14 -> List.of("X-Nul: a\u0000b");
            default -> List.of("X-Control: a\u0007\u001b[31mred");
        };
    }

    private static List<String> many(Random r, String name, int n) {
        List<String> h = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            h.add(name + i + ": " + r.nextInt());
        }
        return h;
    }

    private String brokenAuth(Random r) {
        return switch (r.nextInt(16)) {
            case 0 -> null;
            case 1 -> "";
            case 2 -> "Bearer";
            case 3 -> "Bearer ";
            case 4 -> "bearer " + token;
            case 5 -> "Basic Z3Vlc3Q6Z3Vlc3Q=";
            case 6 -> "Bearer " + token + "x";
            case 7 -> "Bearer " + token.substring(0, token.length() / 2);
            case 8 -> "Bearer a.b.c";
            case 9 -> "Bearer ...";
            case 10 -> "Bearer " + "A".repeat(List.of(5_000, 9_000, 20_000).get(r.nextInt(3)));
            case 11 -> "Bearer " + token.replace('.', '\u00e9');
            case 12 -> "Bearer " + token + "\r\nAuthorization: Bearer " + token;
            case 13 -> "Bearer  " + token;
            default -> "Bearer " + badTokens.get(r.nextInt(badTokens.size()));
        };
    }

    /** Broken request lines and message framing, which no HTTP client library would send. */
    private byte[] framing(Random r, String method, String path, byte[] body, String auth) {
        String host = "Host: 127.0.0.1:" + port + "\r\n";
        String a = "Authorization: " + auth + "\r\nContent-Type: application/json\r\nConnection: close\r\n";
        String head = switch (r.nextInt(18)) {
            case 0 -> method + " " + path + " HTTP/1.0\r\n" + a + "Content-Length: " + body.length + "\r\n\r\n";
            case 1 -> method + " " + path + " HTTP/2.0\r\n" + host + a + "\r\n";
            case 2 -> method + " " + path + " HTTP/9.9\r\n" + host + a + "\r\n";
            case 3 -> method + " " + path + "\r\n" + host + a + "\r\n";
            case 4 -> method + "  " + path + "  HTTP/1.1\r\n" + host + a + "\r\n";
            case 5 ->
                method + " " + path + " HTTP/1.1\n" + host.replace("\r", "") + a.replace("\r", "") + "Content-Length: "
                        + body.length + "\n\n";
            case 6 ->
                method + " " + path + " HTTP/1.1\r\n" + a + "Content-Length: " + body.length + "\r\n\r\n"; // no Host
            case 7 ->
                method + " " + path + " HTTP/1.1\r\n" + host + a + "Transfer-Encoding: chunked\r\n\r\n" + "zz\r\n"
                        + "abc\r\n0\r\n\r\n";
            case 8 ->
                method + " " + path + " HTTP/1.1\r\n" + host + a + "Transfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(body.length + 10) + "\r\n"; // the chunk is shorter than announced
            case 9 ->
                method + " " + path + " HTTP/1.1\r\n" + host + a
                        + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + Integer.toHexString(body.length)
                        + "\r\n";
            case 10 -> method + " " + path + " HTTP/1.1\r\n" + host + a + "Transfer-Encoding: gzip, chunked\r\n\r\n";
            case 11 ->
                method + " " + path + " HTTP/1.1\r\n" + host + a + "Content-Length: " + (body.length + 100)
                        + "\r\n\r\n";
            case 12 -> method + " " + path + " HTTP/1.1\r\n" + host + a + "Content-Length: -1\r\n\r\n";
            case 13 ->
                method + " " + path + " HTTP/1.1\r\n" + host + a + "Content-Length: 99999999999999999999\r\n\r\n";
            case 14 ->
                method + " " + path + " HTTP/1.1\r\n" + host + a + "Content-Length: 3\r\nContent-Length: 7\r\n\r\n";
            case 15 ->
                "\r\n\r\n" + method + " " + path + " HTTP/1.1\r\n" + host + a + "Content-Length: " + body.length
                        + "\r\n\r\n";
            case 16 ->
                new String(
                        new byte[] {(byte) 0x16, 3, 1, 0, (byte) 0xA5, 1, 0},
                        StandardCharsets.ISO_8859_1); // a TLS hello
            default -> method + " " + path + " HTTP/1.1\r\n" + host + a + "Content-Length: " + body.length + "\r\n\r\n";
        };
        byte[] bytes = encodeHead(head);
        if (head.contains("chunked")
                && head.endsWith("\r\n")
                && !head.endsWith("0\r\n\r\n")
                && !head.endsWith("chunked\r\n\r\n")) {
            return HostileJson.concat(bytes, body); // the announced chunk, cut short
        }
        if (head.contains("Transfer-Encoding: gzip, chunked")) {
            return HostileJson.concat(
                    bytes, (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        // a second, pipelined request after a complete one, sometimes
        byte[] withBody = head.contains("Content-Length: " + body.length) ? HostileJson.concat(bytes, body) : bytes;
        return r.nextInt(5) == 0 ? HostileJson.concat(withBody, withBody) : withBody;
    }
}
