package io.queueservice.server.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.publish.MessageNackedException;
import io.queueservice.publish.UnroutableMessageException;
import io.queueservice.server.security.AccessDeniedException;
import io.queueservice.server.security.AuthenticationException;
import io.queueservice.server.security.KeysUnavailableException;
import io.queueservice.server.security.QuotaExceededException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses: every exception a handler throws, or a future
 * completes with, is turned into an {@code application/problem+json} body here. A 5xx never carries
 * broker internals: its detail is written here, not taken from the exception.
 */
final class Problems {
    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    private Problems() {}

    static void register(JavalinConfig config) {
        config.routes.exception(BrokerException.class, (e, ctx) -> write(ctx, fromBroker(e), retryAfter(e)));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> write(ctx, fromHttp(e), null));
        config.routes.exception(AuthenticationException.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge());
            write(ctx, Problem.of("unauthorized", "Unauthorized", 401, e.getMessage()), null);
        });
        config.routes.exception(AccessDeniedException.class, (e, ctx) -> {
            ctx.header("WWW-Authenticate", e.challenge());
            write(ctx, Problem.of("insufficient-scope", "Forbidden", 403, e.getMessage()), null);
        });
        config.routes.exception(
                QuotaExceededException.class,
                (e, ctx) -> write(
                        ctx, Problem.of("rate-limited", "Too many requests", 429, e.getMessage()), e.retryAfter()));
        config.routes.exception(
                KeysUnavailableException.class,
                (e, ctx) -> write(
                        ctx,
                        Problem.of("keys-unavailable", "Cannot verify tokens", 503, e.getMessage()),
                        Duration.ofSeconds(5)));
        config.routes.exception(Exception.class, (e, ctx) -> {
            try (RequestIds.Scope ignored = RequestIds.logContext(ctx)) { // a future may fail on another thread
                log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
            }
            write(
                    ctx,
                    Problem.of("internal", "Internal error", 500, "the service failed unexpectedly; see its logs"),
                    null);
        });
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

    private static Problem fromHttp(HttpResponseException e) {
        int status = e.getStatus();
        return switch (status) {
            case 413 -> Problem.of("too-large", "Request body too large", 413, e.getMessage());
            case 404 -> Problem.of("no-route", "Not found", 404, e.getMessage());
            case 405 -> Problem.of("method-not-allowed", "Method not allowed", 405, e.getMessage());
            case 501 -> Problem.of("not-configured", "Not configured", 501, e.getMessage());
            case 400 -> Problem.of("validation", "Invalid request", 400, e.getMessage());
            default -> Problem.of("http", "HTTP " + status, status, e.getMessage());
        };
    }

    private static Duration retryAfter(BrokerException e) {
        return switch (e) {
            case BrokerUnavailableException x -> x.retryAfter();
            case MessageNackedException x -> Duration.ofSeconds(1);
            default -> null;
        };
    }

    private static void write(Context ctx, Problem problem, Duration retryAfter) {
        if (retryAfter != null) {
            long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            ctx.header("Retry-After", Long.toString(seconds));
        }
        ctx.status(problem.status()).json(problem.withInstance(ctx.path())).contentType(Problem.CONTENT_TYPE);
    }
}
