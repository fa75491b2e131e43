package io.queueservice.server.api;

import io.queueservice.server.idempotency.Decision;
import io.queueservice.server.idempotency.Fingerprint;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.idempotency.KeyOwner;
import io.queueservice.server.idempotency.StoredAnswer;
import io.queueservice.server.security.Caller;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * The {@value Idempotency#HEADER} request header of the publish routes: a request with a key is processed
 * once; its final answer is kept (see {@link Idempotency#isKept}) and given again, with {@value
 * Idempotency#REPLAYED_HEADER}{@code : true}, to a retry with the same key and body. Runs after the body is
 * read and before the handler; a request without the header goes straight on.
 */
final class IdempotencyStep implements Handler<RoutingContext> {
    /** The same key is still being processed: 409, retry later. */
    static final class InFlightException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Duration retryAfter;

        InFlightException(Duration retryAfter) {
            super(
                    "a request with this Idempotency-Key is still being processed; retry once it is answered",
                    null,
                    false,
                    false);
            this.retryAfter = retryAfter;
        }

        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** The same key came with another body: 422. */
    static final class MismatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MismatchException() {
            super(
                    "this Idempotency-Key was used with another request body; use a new key for a new request",
                    null,
                    false,
                    false);
        }
    }

    private final Idempotency idempotency;

    IdempotencyStep(Idempotency idempotency) {
        this.idempotency = idempotency;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String header = ctx.request().getHeader(Idempotency.HEADER);
        if (header == null) {
            ctx.next();
            return;
        }
        String key = Idempotency.parseKey(header);
        Fingerprint fingerprint = Fingerprint.of(BodyReader.body(ctx));
        Context eventLoop = Vertx.currentContext();
        idempotency
                .begin(owner(ctx), key, fingerprint)
                .whenComplete((decision, failure) -> eventLoop.runOnContext(v -> {
                    if (failure != null) {
                        ctx.fail(
                                failure instanceof CompletionException c && c.getCause() != null
                                        ? c.getCause()
                                        : failure);
                        return;
                    }
                    switch (decision) {
                        case Decision.Proceed p -> {
                            Json.onAnswer(
                                    ctx,
                                    (status, contentType, body) ->
                                            idempotency.complete(p.ticket(), status, contentType, body));
                            ctx.next();
                        }
                        case Decision.Replay r -> replay(ctx, r.answer());
                        case Decision.InFlight f -> ctx.fail(new InFlightException(f.retryAfter()));
                        case Decision.Mismatch m -> ctx.fail(new MismatchException());
                    }
                }));
    }

    /** Keys belong to the token's subject; without authentication, to the client's address. */
    private static KeyOwner owner(RoutingContext ctx) {
        Caller caller = AccessCheck.caller(ctx);
        if (caller != null && !caller.unrestricted()) {
            return KeyOwner.subject(caller.subject());
        }
        SocketAddress address = ctx.request().remoteAddress();
        return KeyOwner.clientAddress(address == null ? "unknown" : address.hostAddress());
    }

    private static void replay(RoutingContext ctx, StoredAnswer answer) {
        HttpServerResponse response =
                ctx.response().setStatusCode(answer.status()).putHeader(Idempotency.REPLAYED_HEADER, "true");
        if (answer.contentType() != null) {
            response.putHeader("Content-Type", answer.contentType());
        }
        response.end(Buffer.buffer(answer.body()));
    }
}
