package io.queueservice.server.push;

import io.queueservice.tracing.TraceContext;
import io.queueservice.worker.AsyncMessageHandler;
import io.queueservice.worker.Message;
import io.queueservice.worker.Outcome;
import io.queueservice.worker.Worker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a push subscription's worker: POSTs each message to the endpoint, signed as Standard
 * Webhooks says, and turns the answer into the worker's {@link Outcome}: 2xx acknowledges; anything else
 * (3xx, which is not followed, 4xx, 5xx, a timeout, a failed connection, an address the guard refuses) is a
 * failed attempt, retried with the worker's backoff, at least after a {@code Retry-After} that came with 429
 * or 503, and dead-lettered after {@code maxAttempts}; 410 Gone also pauses the subscription.
 */
final class PushHandler implements AsyncMessageHandler {
    private static final Logger log = LoggerFactory.getLogger(PushHandler.class);
    /** The most of an answer's body kept (for the dead-letter headers and the state). */
    static final int MAX_BODY_KEPT = 1000;
    /** The most of an answer's body read at all. */
    static final int MAX_BODY_READ = 1 << 20;

    static final String WEBHOOK_ID = "webhook-id";
    static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
    static final String WEBHOOK_SIGNATURE = "webhook-signature";
    /** On a failed message's copies: the HTTP status of the last attempt ("" when the endpoint did not answer). */
    static final String LAST_STATUS = "qs-push-last-status";
    /** On a failed message's copies: the first {@value #MAX_BODY_KEPT} characters of the last answer's body. */
    static final String LAST_RESPONSE = "qs-push-last-response";
    /** How long a host name's checked address is reused before it is resolved and checked again. */
    static final Duration RESOLVED_FOR = Duration.ofSeconds(1);

    /** What one attempt came to. */
    sealed interface Attempt {}

    record Delivered(int status) implements Attempt {}

    /**
     * @param status the endpoint's status, or null when it did not answer
     * @param body the start of its answer's body (at most {@value #MAX_BODY_KEPT} characters), or ""
     * @param retryAfter what its {@code Retry-After} asked for (429 and 503 only), or null
     */
    record Failed(PushMetrics.Outcome outcome, Integer status, String cause, String body, Duration retryAfter)
            implements Attempt {}

    /** What the handler needs of its subscription, its secret and header values in clear. */
    record Target(
            String subscription,
            String queue,
            URI endpoint,
            byte[] signingKey,
            Map<String, String> headers,
            int maxAttempts,
            Duration timeout,
            int concurrency) {}

    /** A host name's address, checked, and when (System.nanoTime()). */
    private record Resolved(InetAddress address, long at) {}

    /** Told when the endpoint answered 410 Gone. */
    @FunctionalInterface
    interface GoneListener {
        void gone(String subscription, String reason);
    }

    private final Target target;
    private final io.vertx.core.Context context;
    private final HttpClient client;
    private final AddressGuard guard;
    private final PushMetrics metrics;
    private final SubscriptionStates.State state;
    private final GoneListener goneListener;
    /** Keyed once (setting a key up costs more than signing a message); used on the context's thread only. */
    private final Mac mac;
    /** Whether the endpoint's host is an address literal, which needs no lookup. */
    private final boolean literal;
    /** The context's thread, once known. */
    private volatile Thread loopThread;
    /** The last lookup of the endpoint's host name; the context's thread only. */
    private Resolved resolved;
    /** The address literal's check; the context's thread only. */
    private Future<InetAddress> literalAddress;
    /** The worker this handler works for, set once it started: paused on 410 Gone. */
    private final AtomicReference<Worker> worker = new AtomicReference<>();

    PushHandler(
            Target target,
            io.vertx.core.Context context,
            HttpClient client,
            AddressGuard guard,
            PushMetrics metrics,
            SubscriptionStates.State state,
            GoneListener goneListener) {
        this.target = target;
        this.mac = mac(target.signingKey());
        this.literal = AddressGuard.isLiteral(AddressGuard.host(target.endpoint()));
        this.context = context;
        this.client = client;
        this.guard = guard;
        this.metrics = metrics;
        this.state = state;
        this.goneListener = goneListener;
    }

    void workingFor(Worker w) {
        worker.set(w);
    }

    /**
     * Delivers the message: on the subscription's event loop, where its connections live, from the resolution
     * of the endpoint to the answer; no thread waits meanwhile.
     */
    @Override
    public CompletionStage<Outcome> handle(Message message) {
        long started = System.nanoTime();
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        onContext(() -> post(message).onComplete((attempt, failure) -> {
            Attempt a = failure == null ? attempt : failedConnection(failure);
            Outcome outcome;
            try {
                outcome = outcome(message, a, Duration.ofNanos(System.nanoTime() - started));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            // The worker settles the message, and takes on the consumer's next one, in this call.
            result.complete(outcome);
        }));
        return result;
    }

    /** Runs on this subscription's context: at once when already there (the usual case), else queued to it. */
    private void onContext(Runnable task) {
        if (Thread.currentThread() == loopThread) {
            task.run();
        } else {
            context.runOnContext(v -> {
                loopThread = Thread.currentThread(); // an event loop context runs on one thread, always the same
                task.run();
            });
        }
    }

    private Outcome outcome(Message message, Attempt attempt, Duration took) {
        switch (attempt) {
            case Delivered d -> {
                metrics.attempt(target.subscription(), PushMetrics.Outcome.DELIVERED, took);
                state.delivered.incrementAndGet();
                return Outcome.ack();
            }
            case Failed f -> {
                metrics.attempt(target.subscription(), f.outcome(), took);
                state.failed(f.status(), f.cause());
                if (f.outcome() == PushMetrics.Outcome.GONE) {
                    // Stop here at once (the other instances follow the pause through the definitions); the
                    // message waits in the queue, its attempt count unchanged.
                    Worker w = worker.get();
                    if (w != null) {
                        w.pause();
                    }
                    String reason = "the endpoint answered 410 Gone at " + Instant.now()
                            + "; resume it once the endpoint is back";
                    // Off the event loop: recording the pause waits for the broker's confirm.
                    context.executeBlocking(() -> {
                                goneListener.gone(target.subscription(), reason);
                                return null;
                            })
                            .onFailure(e -> log.warn(
                                    "push subscription '{}': cannot record its pause: {}",
                                    target.subscription(),
                                    e.toString()));
                    return Outcome.requeue();
                }
                if (message.attempt() >= target.maxAttempts()) {
                    // The worker dead-letters it: its retries are used up.
                    metrics.count(target.subscription(), PushMetrics.Outcome.DEAD_LETTERED);
                    state.deadLettered.incrementAndGet();
                }
                Outcome.Retry retry = f.retryAfter() != null ? Outcome.retryAtLeast(f.retryAfter()) : Outcome.retry();
                return retry.because(f.cause(), failureHeaders(f));
            }
        }
    }

    /** What the message's copies, the dead-lettered one included, carry about the last failed attempt. */
    static Map<String, String> failureHeaders(Failed f) {
        return Map.of(LAST_STATUS, f.status() == null ? "" : f.status().toString(), LAST_RESPONSE, f.body());
    }

    /**
     * The address to connect to: for an address literal, checked once (the answer cannot change); for a host
     * name, resolved off the event loop (a lookup may wait on DNS) and then reused for {@link #RESOLVED_FOR}.
     */
    private Future<InetAddress> address() {
        URI endpoint = target.endpoint();
        if (literal) {
            if (literalAddress == null) {
                try {
                    literalAddress = Future.succeededFuture(guard.resolve(endpoint));
                } catch (AddressGuard.BlockedAddressException e) {
                    literalAddress = Future.failedFuture(e);
                }
            }
            return literalAddress;
        }
        Resolved r = resolved;
        if (r != null && System.nanoTime() - r.at() < RESOLVED_FOR.toNanos()) {
            return Future.succeededFuture(r.address());
        }
        return context.executeBlocking(() -> guard.resolve(endpoint)).onSuccess(a -> {
            resolved = new Resolved(a, System.nanoTime());
        });
    }

    /** One attempt, on this subscription's context: completes (never fails) with what it came to. */
    private Future<Attempt> post(Message message) {
        return address().transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(
                        ar.cause() instanceof AddressGuard.BlockedAddressException b
                                ? new Failed(PushMetrics.Outcome.BLOCKED_ADDRESS, null, b.getMessage(), "", null)
                                : failedConnection(ar.cause()));
            }
            return send(message, ar.result());
        });
    }

    private Future<Attempt> send(Message message, InetAddress address) {
        URI endpoint = target.endpoint();
        boolean https = endpoint.getScheme().equalsIgnoreCase("https");
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : https ? 443 : 80;
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        String uri = endpoint.getRawQuery() == null ? path : path + "?" + endpoint.getRawQuery();
        long timeoutMs = target.timeout().toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                // Connect to the address just checked, whatever the name resolves to by then (DNS rebinding);
                // the Host header and TLS (SNI, certificate check) still use the name.
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setHost(AddressGuard.host(endpoint))
                .setPort(port)
                .setSsl(https)
                .setURI(uri)
                .setFollowRedirects(false); // timeouts: the client's connect timeout, and the timer below
        String id = webhookId(message);
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        byte[] body = message.body();
        options.putHeader(
                        "content-type",
                        message.contentType() != null ? message.contentType() : "application/octet-stream")
                .putHeader(WEBHOOK_ID, id)
                .putHeader(WEBHOOK_TIMESTAMP, timestamp)
                .putHeader(WEBHOOK_SIGNATURE, sign(mac, id, timestamp, body))
                .putHeader("qs-attempt", Integer.toString(message.attempt()))
                .putHeader("qs-queue", target.queue())
                .putHeader("qs-exchange", message.exchange() == null ? "" : message.exchange())
                .putHeader("qs-routing-key", message.routingKey() == null ? "" : message.routingKey());
        String traceparent = message.header(TraceContext.TRACEPARENT);
        if (traceparent != null && TraceContext.isValid(traceparent)) {
            options.putHeader(TraceContext.TRACEPARENT, traceparent);
            String tracestate = message.header(TraceContext.TRACESTATE);
            if (tracestate != null && TraceContext.isPassableState(tracestate)) {
                options.putHeader(TraceContext.TRACESTATE, tracestate);
            }
        }
        target.headers().forEach(options::putHeader);

        // All of it on this context's one thread: the timer, the request and its answer never race.
        Promise<Attempt> result = Promise.promise();
        HttpClientRequest[] sent = new HttpClientRequest[1];
        Vertx vertx = context.owner();
        long timer = vertx.setTimer(timeoutMs, t -> {
            if (result.tryComplete(
                    new Failed(PushMetrics.Outcome.TIMEOUT, null, "no answer within " + timeoutMs + " ms", "", null))) {
                if (sent[0] != null) {
                    sent[0].reset(); // frees the connection for the next delivery
                }
            }
        });
        client.request(options)
                .compose(req -> {
                    if (result.future().isComplete()) {
                        req.reset(); // timed out while connecting: too late to send it
                        return Future.failedFuture("timed out");
                    }
                    sent[0] = req;
                    // Read the answer in the callback of send() itself, before the response can end unobserved.
                    return req.send(Buffer.buffer(body)).compose(this::read);
                })
                .onComplete((attempt, failure) -> {
                    vertx.cancelTimer(timer);
                    result.tryComplete(failure == null ? attempt : failedConnection(failure));
                });
        return result.future();
    }

    private Failed failedConnection(Throwable e) {
        String what = e instanceof ConnectException ? "cannot connect" : "connection failed";
        boolean timedOut = e instanceof io.netty.channel.ConnectTimeoutException
                || e instanceof java.util.concurrent.TimeoutException
                || String.valueOf(e.getMessage())
                        .toLowerCase(java.util.Locale.ROOT)
                        .contains("timeout");
        if (timedOut) {
            return new Failed(PushMetrics.Outcome.TIMEOUT, null, "timed out: " + e.getMessage(), "", null);
        }
        log.debug("delivery of subscription '{}' failed", target.subscription(), e);
        return new Failed(
                PushMetrics.Outcome.CONNECTION_ERROR,
                null,
                what + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                "",
                null);
    }

    /**
     * Reads the answer: its status, and the start of its body. A body announced as larger than {@value
     * #MAX_BODY_READ} bytes is not read (the connection is closed instead); one without a length is read
     * within the timeout.
     */
    private Future<Attempt> read(HttpClientResponse response) {
        int status = response.statusCode();
        String length = response.getHeader("content-length");
        boolean tooLarge = length != null
                && length.chars().allMatch(Character::isDigit)
                && length.length() < 19
                && Long.parseLong(length) > MAX_BODY_READ;
        Future<String> body;
        if (tooLarge) {
            response.request().reset();
            body = Future.succeededFuture("(an answer of " + length + " bytes, not read)");
        } else {
            // body() rather than a handler: the response may have ended by the time this runs.
            body = response.body().map(b -> {
                String text = b.getString(0, Math.min(b.length(), MAX_BODY_KEPT * 4), "UTF-8");
                return text.length() > MAX_BODY_KEPT ? text.substring(0, MAX_BODY_KEPT) : text;
            });
        }
        return body.map(text -> {
            if (status >= 200 && status < 300) {
                return new Delivered(status);
            }
            Duration retryAfter = status == 429 || status == 503 ? retryAfter(response.getHeader("retry-after")) : null;
            PushMetrics.Outcome outcome = status == 410 ? PushMetrics.Outcome.GONE : PushMetrics.Outcome.HTTP_ERROR;
            String cause = "the endpoint answered HTTP " + status
                    + (status >= 300 && status < 400 ? " (redirects are not followed)" : "");
            return new Failed(outcome, status, cause, text, retryAfter);
        });
    }

    /** {@code Retry-After}: seconds, or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 86_400));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(
                        Instant.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /**
     * The message's id; for a message published without one, an id derived from what stays the same on every
     * attempt, so receivers can still deduplicate.
     */
    static String webhookId(Message message) {
        if (message.messageId() != null && !message.messageId().isBlank()) {
            return message.messageId();
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(String.valueOf(message.exchange()).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(String.valueOf(message.routingKey()).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(message.body());
            return "msg_" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** {@code v1,} + base64 of HMAC-SHA256 over {@code id.timestamp.body}, keyed with the secret's bytes. */
    static String sign(byte[] key, String id, String timestamp, byte[] body) {
        return sign(mac(key), id, timestamp, body);
    }

    /** Signs with a MAC initialised with the key (left reset, ready for the next message). */
    static String sign(Mac mac, String id, String timestamp, byte[] body) {
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    static Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** The key bytes of a {@code whsec_} secret. */
    static byte[] signingKey(String secret) {
        return Base64.getDecoder().decode(secret.substring(Subscriptions.SECRET_PREFIX.length()));
    }
}
