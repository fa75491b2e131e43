package io.queueservice.server.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP receiver on 127.0.0.1 (the JDK's server, keep-alive), for the deliverer's tests: it records
 * every request and answers as the test's {@link Behaviour} says. Its signature check is the test's own
 * HMAC code, not the service's.
 */
final class Receiver implements AutoCloseable {
    /** One request as received. */
    record Request(String path, Map<String, String> headers, byte[] body, long receivedAtNanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        int attempt() {
            return Integer.parseInt(header("qs-attempt"));
        }

        /** Whether {@code webhook-signature} is the HMAC-SHA256 of {@code id.timestamp.body} with the secret. */
        boolean signedWith(String secret) {
            try {
                byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                mac.update((header("webhook-id") + "." + header("webhook-timestamp") + ".")
                        .getBytes(StandardCharsets.UTF_8));
                String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
                return MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.US_ASCII),
                        String.valueOf(header("webhook-signature")).getBytes(StandardCharsets.US_ASCII));
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** An answer: status, headers, body, and how long to wait before answering. */
    record Answer(int status, Map<String, String> headers, String body, long delayMillis) {
        static Answer of(int status) {
            return new Answer(status, Map.of(), "", 0);
        }

        Answer withHeader(String name, String value) {
            Map<String, String> h = new java.util.HashMap<>(headers);
            h.put(name, value);
            return new Answer(status, h, body, delayMillis);
        }

        Answer withBody(String text) {
            return new Answer(status, headers, text, delayMillis);
        }

        Answer after(long millis) {
            return new Answer(status, headers, body, millis);
        }
    }

    /** Decides the answer to a request (called concurrently). */
    @FunctionalInterface
    interface Behaviour {
        Answer answer(Request request);
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(32);
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour = r -> Answer.of(204);

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    void behave(Behaviour b) {
        behaviour = b;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The distinct webhook ids received on a path. */
    java.util.Set<String> ids(String path) {
        return requests(path).stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders()
                    .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            Request r = new Request(exchange.getRequestURI().getPath(), headers, body, System.nanoTime());
            requests.add(r);
            Answer a = behaviour.answer(r);
            if (a.delayMillis() > 0) {
                try {
                    Thread.sleep(a.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(a.status(), a.status() == 204 || out.length == 0 ? -1 : out.length);
            if (out.length > 0 && a.status() != 204) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (IOException e) {
            // the deliverer gave up on this request (a timeout): nothing to answer
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
