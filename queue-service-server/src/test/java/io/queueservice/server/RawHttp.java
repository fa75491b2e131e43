package io.queueservice.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client would send (invalid request lines, bad
 * chunked encoding, raw non-ASCII bytes in headers and paths). The request is written as given, then the
 * socket's output is shut down (so a server waiting for more body sees the end of it) and everything the
 * server sends is read until it closes the connection or the bound passes.
 */
final class RawHttp {
    private RawHttp() {}

    /**
     * What came back.
     *
     * @param status 0 when the server closed the connection without an answer (or sent no status line)
     * @param headers header names in lower case
     * @param timedOut the server neither answered completely nor closed within the bound: a hang
     */
    record Reply(int status, Map<String, List<String>> headers, byte[] body, boolean timedOut, long millis) {
        Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static Reply exchange(int port, byte[] request, Duration bound) {
        long start = System.nanoTime();
        long deadline = start + bound.toNanos();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        boolean timedOut = false;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) bound.toMillis());
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server may refuse and close before it read everything (431, 413): read what it said
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    timedOut = !complete(received.toByteArray());
                    break;
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    timedOut = !complete(received.toByteArray());
                    break;
                }
                if (n < 0) {
                    break;
                }
                received.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // connection refused or reset: keep what was received (possibly nothing)
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return parse(received.toByteArray(), timedOut, millis);
    }

    /** A whole response was received (the server may keep the connection open after it). */
    private static boolean complete(byte[] bytes) {
        int end = headerEnd(bytes);
        if (end < 0) {
            return false;
        }
        Reply r = parse(bytes, false, 0);
        Optional<String> length = r.header("content-length");
        if (length.isPresent()) {
            try {
                return bytes.length - end >= Long.parseLong(length.get().trim());
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return r.header("transfer-encoding").map(te -> endsChunked(bytes)).orElse(false);
    }

    private static boolean endsChunked(byte[] bytes) {
        String tail = new String(
                bytes, Math.max(0, bytes.length - 5), Math.min(5, bytes.length), StandardCharsets.ISO_8859_1);
        return tail.endsWith("0\r\n\r\n");
    }

    private static int headerEnd(byte[] b) {
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static Reply parse(byte[] bytes, boolean timedOut, long millis) {
        int end = headerEnd(bytes);
        if (end < 0) {
            return new Reply(0, Map.of(), bytes, timedOut, millis);
        }
        String[] lines = new String(bytes, 0, end - 4, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = 0;
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length >= 2 && statusLine[0].startsWith("HTTP/")) {
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (NumberFormatException e) {
                status = 0;
            }
        }
        if (status >= 100 && status < 200) { // an interim answer (100 Continue): the real one follows
            return parse(Arrays.copyOfRange(bytes, end, bytes.length), timedOut, millis);
        }
        Map<String, List<String>> headers = new HashMap<>();
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(
                                line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
        byte[] body = Arrays.copyOfRange(bytes, end, bytes.length);
        List<String> te = headers.getOrDefault("transfer-encoding", List.of());
        if (te.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
            body = dechunk(body);
        } else if (headers.containsKey("content-length")) {
            try {
                int length = Integer.parseInt(headers.get("content-length").getFirst());
                body = Arrays.copyOf(body, Math.min(length, body.length));
            } catch (NumberFormatException e) {
                // keep all
            }
        }
        return new Reply(status, headers, body, timedOut, millis);
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int lineEnd = i;
            while (lineEnd + 1 < chunked.length && !(chunked[lineEnd] == '\r' && chunked[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            if (lineEnd + 1 >= chunked.length) {
                break;
            }
            String size = new String(chunked, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";", 2)[0].trim();
            int n;
            try {
                n = Integer.parseInt(size, 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (n == 0) {
                break;
            }
            int from = lineEnd + 2;
            int to = Math.min(chunked.length, from + n);
            out.write(chunked, from, to - from);
            i = to + 2;
        }
        return out.toByteArray();
    }
}
