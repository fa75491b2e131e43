package io.queueservice.server.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code http_server_requests_seconds{method,route,status}}: requests by route template (such as {@code
 * /api/v1/queues/{name}}, never the raw path, so names in URLs do not become series), {@code unmatched} for
 * paths no route serves. Each series' timer is built once, on its first request.
 */
final class HttpMetrics {
    /** The route template of requests no route serves. */
    static final String UNMATCHED = "unmatched";

    /** Methods with a series of their own; any other is counted as {@code OTHER}, so labels stay bounded. */
    private static final Set<HttpMethod> KNOWN_METHODS = Set.of(
            HttpMethod.GET,
            HttpMethod.HEAD,
            HttpMethod.POST,
            HttpMethod.PUT,
            HttpMethod.DELETE,
            HttpMethod.PATCH,
            HttpMethod.OPTIONS);

    private record Series(String method, String route, int status) {}

    private final MeterRegistry registry;
    private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** @param route the route's template, or {@link #UNMATCHED} */
    void record(HttpMethod method, String route, int status, long nanos) {
        String label = KNOWN_METHODS.contains(method) ? method.name() : "OTHER";
        timers.computeIfAbsent(new Series(label, route, status), this::timer).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(Series s) {
        return Timer.builder("http.server.requests")
                .description("HTTP requests, by method, route template and status")
                .tag("method", s.method())
                .tag("route", s.route())
                .tag("status", Integer.toString(s.status()))
                .register(registry);
    }
}
