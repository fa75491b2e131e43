package io.queueservice.server.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before a route's handler runs, whether the request may go on: it authenticates the caller
 * (401), takes one request from its quota (429), and checks the {@link Scope} the route was declared
 * with (403). Routes declared without a scope (health) are open; {@code /metrics} is open unless {@code
 * METRICS_AUTH=true}. Every refusal is logged with the reason and the caller's subject (when known), never
 * the token; the request id is in the log context. Refusals are counted in {@code
 * queue_auth_rejected_total{reason}}.
 */
public final class AccessControl {
    /** The realm of every {@code WWW-Authenticate} challenge. */
    public static final String REALM = "Bearer realm=\"queue-service\"";

    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
    private static final String BEARER = "bearer ";

    private final SecurityConfig config;
    private final TokenVerifier verifier;
    private final Quotas quotas;
    private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);

    public AccessControl(SecurityConfig config, MeterRegistry registry) {
        this.config = config;
        this.verifier = config.jwt() == null ? null : new TokenVerifier(config.jwt(), Clock.systemUTC());
        this.quotas = config.quota().enabled() ? new Quotas(config.quota()) : null;
        for (Rejection r : Rejection.values()) {
            rejected.put(
                    r,
                    Counter.builder("queue.auth.rejected")
                            .description("API requests refused by authentication, authorisation or quotas, by reason")
                            .tag("reason", r.code())
                            .register(registry));
        }
    }

    /**
     * Lets a request to a route declared with {@code required} through, or throws what it is answered with.
     *
     * @param required the route's scope; null for routes open to all
     * @param authorization the request's {@code Authorization} header, or null
     * @param clientAddress the client's address, which quotas count by when there is no token
     * @return the caller, or null when the route is open (no scope, or {@code /metrics} without METRICS_AUTH)
     * @throws AuthenticationException (401), QuotaExceededException (429), AccessDeniedException (403),
     *     KeysUnavailableException (503)
     */
    public Caller check(Scope required, String authorization, String clientAddress) {
        if (required == null || required == Scope.METRICS_READ && !config.metricsAuth()) {
            return null;
        }
        Caller caller = authenticate(authorization);
        if (quotas != null && required != Scope.METRICS_READ) {
            String key = caller.unrestricted() ? "ip:" + clientAddress : caller.subject();
            Optional<Duration> wait = quotas.tryAcquire(key);
            if (wait.isPresent()) {
                refuse(Rejection.RATE_LIMITED, caller.subject(), null);
                throw new QuotaExceededException(wait.get());
            }
        }
        if (!caller.allows(required)) {
            refuse(Rejection.INSUFFICIENT_SCOPE, caller.subject(), required.value());
            throw new AccessDeniedException(
                    required.value(),
                    required == Scope.PUBLISH
                            ? "publishing needs the scope 'publish' or 'publish:<exchange>'"
                            : "this request needs the scope '" + required.value() + "'");
        }
        return caller;
    }

    /**
     * Whether verifying a token may wait for the network (a JWK set fetched over HTTP): such checks must not
     * run on a thread that serves other requests meanwhile.
     */
    public boolean mayBlock() {
        return verifier != null && verifier.mayBlock();
    }

    /**
     * Checks that the caller may publish to {@code exchange}: {@code publish} or {@code publish:<exchange>}
     * ({@code publish:amq.default} for the default exchange).
     *
     * @param caller what {@link #check} returned for the request
     * @throws AccessDeniedException when it may not
     */
    public void checkPublish(Caller caller, String exchange) {
        if (caller == null || caller.mayPublishTo(exchange)) {
            return; // null: the route was not declared with a scope, which HttpApi never does for publish
        }
        String scope = Scope.publishTo(exchange);
        refuse(Rejection.INSUFFICIENT_SCOPE, caller.subject(), scope);
        throw new AccessDeniedException(
                scope, "publishing to this exchange needs the scope 'publish' or '" + scope + "'");
    }

    private Caller authenticate(String header) {
        if (config.mode() == SecurityConfig.AuthMode.NONE) {
            return Caller.anonymous();
        }
        try {
            if (header == null || header.isBlank()) {
                throw new AuthenticationException(Rejection.MISSING_TOKEN);
            }
            if (header.length() > BEARER.length() + SecurityConfig.MAX_TOKEN_BYTES) {
                throw new AuthenticationException(Rejection.TOO_LARGE);
            }
            if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                throw new AuthenticationException(Rejection.MISSING_TOKEN); // another scheme (Basic...)
            }
            return verifier.verify(header.substring(BEARER.length()).trim());
        } catch (AuthenticationException e) {
            refuse(e.reason(), null, null);
            throw e;
        } catch (KeysUnavailableException e) {
            log.warn("cannot verify a token: the JWK set cannot be fetched");
            throw e;
        }
    }

    private void refuse(Rejection reason, String subject, String scope) {
        rejected.get(reason).increment();
        switch (reason) {
            case INSUFFICIENT_SCOPE ->
                log.warn("refused: subject '{}' lacks the scope '{}' ({})", clean(subject), scope, reason.code());
            case RATE_LIMITED ->
                log.info("refused: subject '{}' is over its quota ({})", clean(subject), reason.code());
            default -> log.info("refused: no valid token ({}: {})", reason.code(), reason.description());
        }
    }

    /** A subject comes from a verified token, yet it is text from outside: keep it to one short line. */
    private static String clean(String subject) {
        if (subject == null) {
            return "-";
        }
        String s = subject.length() > 100 ? subject.substring(0, 100) + "..." : subject;
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
