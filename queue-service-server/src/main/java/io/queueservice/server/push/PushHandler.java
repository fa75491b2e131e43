package io.queueservice.server.push;

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
import io.vertx.core.http.RequestOptions;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a push subscription's worker: POSTs each message to the endpoint, signed as Standard
 * Webhooks says ({@link SignedRequest}), and turns the answer ({@link AttemptClassifier}) into the worker's
 * {@link Outcome}: 2xx acknowledges; anything else (3xx, which is not followed, 4xx, 5xx, a timeout, a failed
 * connection, an address the guard refuses) is a failed attempt, retried with the worker's backoff, at least
 * after a {@code Retry-After} that came with 429 or 503, and dead-lettered after {@code maxAttempts}; 410 Gone
 * also pauses the subscription.
 */
final class PushHandler implements AsyncMessageHandler {
    private static final Logger log = LoggerFactory.getLogger(PushHandler.class);

    /** On a failed message's copies: the HTTP status of the last attempt ("" when the endpoint did not answer). */
    static final String LAST_STATUS = "qs-push-last-status";
    /**
     * On a failed message's copies: the first {@value AttemptClassifier#MAX_BODY_KEPT} characters of the last
     * answer's body.
     */
    static final String LAST_RESPONSE = "qs-push-last-response";

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

    /** Told when the endpoint answered 410 Gone. */
    @FunctionalInterface
    interface GoneListener {
        void gone(String subscription, String reason);
    }

    private final Target target;
    private final io.vertx.core.Context context;
    private final HttpClient client;
    private final PushMetrics metrics;
    private final SubscriptionStates.State state;
    private final GoneListener goneListener;
    /** Keyed once (setting a key up costs more than signing a message); used on the context's thread only. */
    private final Mac mac;
    /** The endpoint's checked address; used on the context's thread only. */
    private final EndpointAddress address;
    /** The context's thread, once known. */
    private volatile Thread loopThread;
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
        this.mac = SignedRequest.mac(target.signingKey());
        this.address = new EndpointAddress(target.endpoint(), guard, context);
        this.context = context;
        this.client = client;
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
            case Attempt.Delivered d -> {
                metrics.attempt(target.subscription(), PushMetrics.Outcome.DELIVERED, took);
                state.delivered.incrementAndGet();
                return Outcome.ack();
            }
            case Attempt.Failed f -> {
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
    static Map<String, String> failureHeaders(Attempt.Failed f) {
        return Map.of(LAST_STATUS, f.status() == null ? "" : f.status().toString(), LAST_RESPONSE, f.body());
    }

    /** One attempt, on this subscription's context: completes (never fails) with what it came to. */
    private Future<Attempt> post(Message message) {
        return address.get().transform(ar -> {
            if (ar.failed()) {
                return Future.succeededFuture(
                        ar.cause() instanceof AddressGuard.BlockedAddressException b
                                ? new Attempt.Failed(
                                        PushMetrics.Outcome.BLOCKED_ADDRESS, null, b.getMessage(), "", null)
                                : failedConnection(ar.cause()));
            }
            return send(message, ar.result());
        });
    }

    private Future<Attempt> send(Message message, InetAddress address) {
        long timeoutMs = target.timeout().toMillis();
        byte[] body = message.body();
        RequestOptions options = SignedRequest.of(target, mac, message, address);

        // All of it on this context's one thread: the timer, the request and its answer never race.
        Promise<Attempt> result = Promise.promise();
        HttpClientRequest[] sent = new HttpClientRequest[1];
        Vertx vertx = context.owner();
        long timer = vertx.setTimer(timeoutMs, t -> {
            if (result.tryComplete(new Attempt.Failed(
                    PushMetrics.Outcome.TIMEOUT, null, "no answer within " + timeoutMs + " ms", "", null))) {
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
                    return req.send(Buffer.buffer(body)).compose(AttemptClassifier::read);
                })
                .onComplete((attempt, failure) -> {
                    vertx.cancelTimer(timer);
                    result.tryComplete(failure == null ? attempt : failedConnection(failure));
                });
        return result.future();
    }

    private Attempt.Failed failedConnection(Throwable e) {
        Attempt.Failed f = AttemptClassifier.failedConnection(e);
        if (f.outcome() == PushMetrics.Outcome.CONNECTION_ERROR) {
            log.debug("delivery of subscription '{}' failed", target.subscription(), e);
        }
        return f;
    }
}
