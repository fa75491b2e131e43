package io.queueservice.server.api;

import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.publish.MessageNackedException;
import io.queueservice.publish.UnroutableMessageException;
import io.queueservice.server.NotConfiguredException;
import io.queueservice.server.idempotency.IdempotencyStoreUnavailableException;
import io.queueservice.server.schemas.MessageRejectedException;
import io.queueservice.server.security.AccessDeniedException;
import io.queueservice.server.security.AuthenticationException;
import io.queueservice.server.security.KeysUnavailableException;
import io.queueservice.server.security.QuotaExceededException;
import io.queueservice.validation.InvalidRequestException;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses: every exception a handler throws, or a future
 * completes with, and every status the router fails a request with (no route, wrong method, body too
 * large), is turned into an {@code application/problem+json} body here. A 5xx never carries broker
 * internals: its detail is written here, not taken from the exception.
 */
final class Problems {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    private Problems() {}

    /**
     * The problem one item of a batch failed with: what the same message published alone would have been
     * answered.
     */
    static Problem ofItem(Throwable failure) {
        Throwable t = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
        return switch (t) {
            case BrokerException e -> fromBroker(e);
            case AccessDeniedException e -> Problem.of("insufficient-scope", "Forbidden", 403, e.getMessage());
            case MessageRejectedException e -> rejected(e);
            default -> {
                log.error("unexpected failure of a batch item", t);
                yield Problem.of("internal", "Internal error", 500, "the service failed unexpectedly; see its logs");
            }
        };
    }

    /**
     * The router's handler of requests it answers {@code status} itself (no route for the path, no route for
     * the method, a path it cannot decode).
     */
    static Handler<RoutingContext> forStatus(int status) {
        return ctx -> write(ctx, fromStatus(status), null);
    }

    /** The failure handler of every route: for exceptions, and for statuses a handler failed a request with. */
    static void handle(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof CompletionException c && c.getCause() != null) {
            failure = c.getCause();
        }
        if (failure == null || failure instanceof HttpException) {
            int status = failure instanceof HttpException h ? h.getStatusCode() : ctx.statusCode();
            write(ctx, fromStatus(status), null);
            return;
        }
        if (failure instanceof HttpClosedException) {
            return; // the client went away before its request was read: there is nobody to answer
        }
        if (failure instanceof VertxException && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            // The router refused the request itself (no Host header, say): its fixed message says why.
            write(ctx, Problem.of("http", "HTTP " + ctx.statusCode(), ctx.statusCode(), failure.getMessage()), null);
            return;
        }
        switch (failure) {
            case BrokerException e -> write(ctx, fromBroker(e), retryAfter(e));
            case MessageRejectedException e -> write(ctx, rejected(e), null);
            case IdempotencyStep.InFlightException e ->
                write(
                        ctx,
                        Problem.of("idempotency-in-flight", "Request in progress", 409, e.getMessage()),
                        e.retryAfter());
            case IdempotencyStep.MismatchException e ->
                write(ctx, Problem.of("idempotency-mismatch", "Idempotency key reused", 422, e.getMessage()), null);
            case IdempotencyStoreUnavailableException e ->
                write(
                        ctx,
                        Problem.of("idempotency-unavailable", "Idempotency keys unavailable", 503, e.getMessage()),
                        e.retryAfter());
            case BodyReader.TooLargeException e ->
                write(ctx, Problem.of("too-large", "Request body too large", 413, e.getMessage()), null);
            case NotConfiguredException e ->
                write(ctx, Problem.of("not-configured", "Not configured", 501, e.getMessage()), null);
            case AuthenticationException e -> {
                ctx.response().putHeader("WWW-Authenticate", e.challenge());
                write(ctx, Problem.of("unauthorized", "Unauthorized", 401, e.getMessage()), null);
            }
            case AccessDeniedException e -> {
                ctx.response().putHeader("WWW-Authenticate", e.challenge());
                write(ctx, Problem.of("insufficient-scope", "Forbidden", 403, e.getMessage()), null);
            }
            case QuotaExceededException e ->
                write(ctx, Problem.of("rate-limited", "Too many requests", 429, e.getMessage()), e.retryAfter());
            case KeysUnavailableException e ->
                write(
                        ctx,
                        Problem.of("keys-unavailable", "Cannot verify tokens", 503, e.getMessage()),
                        Duration.ofSeconds(5));
            default -> {
                try (RequestIds.LogScope ignored = RequestIds.logContext(ctx)) {
                    log.error(
                            "unexpected failure on {} {}",
                            ctx.request().method(),
                            ctx.request().path(),
                            failure);
                }
                write(
                        ctx,
                        Problem.of("internal", "Internal error", 500, "the service failed unexpectedly; see its logs"),
                        null);
            }
        }
    }

    /** A message its schema refuses: each error at its JSON Pointer into the message. */
    static Problem rejected(MessageRejectedException e) {
        return Problem.of("schema-violation", "Message does not match its schema", 422, e.getMessage())
                .withErrorItems(e.errors().stream()
                        .map(m -> ProblemError.atPointer(m.pointer(), m.message()))
                        .toList());
    }

    static Problem fromBroker(BrokerException e) {
        return switch (e) {
            case InvalidRequestException x ->
                Problem.of("validation", "Invalid request", 400, x.getMessage()).withErrors(x.violations());
            case ResourceNotFoundException x -> Problem.of("not-found", "Not found", 404, x.getMessage());
            case ResourceConflictException x ->
                Problem.of("conflict", "Conflict", 409, x.getMessage())
                        .withArgument(x.argument().orElse(null));
            case OperationRefusedException x
            when x.forbidden() -> Problem.of("forbidden", "Refused by the broker", 403, x.getMessage());
            case OperationRefusedException x -> Problem.of("refused", "Refused by the broker", 400, x.getMessage());
            case UnroutableMessageException x -> Problem.of("unroutable", "Message not routed", 422, x.getMessage());
            case MessageNackedException x -> Problem.of("nacked", "Message refused by the broker", 503, x.getMessage());
            case BrokerTimeoutException x -> Problem.of("timeout", "Broker timeout", 504, x.getMessage());
            case BrokerUnavailableException x -> Problem.of("unavailable", "Broker unavailable", 503, x.getMessage());
            default ->
                Problem.of("broker", "Broker error", 503, "the broker failed to handle the request; try again later");
        };
    }

    private static Problem fromStatus(int status) {
        return switch (status) {
            case 404 -> Problem.of("no-route", "Not found", 404, "no route for this path");
            case 405 ->
                Problem.of("method-not-allowed", "Method not allowed", 405, "this path does not take this method");
            case 400 -> Problem.of("http", "HTTP 400", 400, "Bad Request");
            default -> Problem.of("http", "HTTP " + status, status, "the request failed with HTTP " + status);
        };
    }

    private static Duration retryAfter(BrokerException e) {
        return switch (e) {
            case BrokerUnavailableException x -> x.retryAfter();
            case MessageNackedException x -> Duration.ofSeconds(1);
            default -> null;
        };
    }

    private static void write(RoutingContext ctx, Problem problem, Duration retryAfter) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // the client went away, or an answer was already written
        }
        if (RequestIds.id(ctx) == null) {
            RequestIds.assign(ctx); // refused by the router before any route ran (no Host header, say)
        }
        if (retryAfter != null) {
            long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            ctx.response().putHeader("Retry-After", Long.toString(seconds));
        }
        Json.write(
                ctx,
                problem.status(),
                Problem.CONTENT_TYPE,
                problem.withInstance(ctx.request().path()));
    }
}
