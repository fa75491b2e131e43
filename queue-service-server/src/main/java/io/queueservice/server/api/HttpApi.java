package io.queueservice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.Topology;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import io.queueservice.server.security.AccessControl;
import io.queueservice.server.security.Scope;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API: every route in one table, one error mapper, one JSON configuration. */
public final class HttpApi {
    private static final Logger requestLog = LoggerFactory.getLogger("io.queueservice.server.requests");

    /** Largest request header block; Jetty answers 431 past it. Jetty's default (8 KiB) leaves no room for a token. */
    static final int REQUEST_HEADER_BYTES = 16 * 1024;

    private HttpApi() {}

    /**
     * What the {@code /api/v1} routes work with; a worker-only process has none.
     *
     * @param publishMetrics where publish requests refused before reaching the publisher are counted
     * @param queueDepths reports the depth of the queues declared through the API
     * @param management lists the queues of the virtual host; null when RABBITMQ_MANAGEMENT_URL is not set
     */
    public record Gateway(
            Topology topology,
            ConfirmingPublisher publisher,
            PublishMetrics publishMetrics,
            QueueDepths queueDepths,
            ManagementApi management) {}

    /**
     * The HTTP server: health and metrics always, the API when {@code gateway} is not null.
     */
    public static Javalin create(
            ServerConfig config, Gateway gateway, Health health, PrometheusMeterRegistry registry) {
        JsonBodies bodies = new JsonBodies(config.maxBodyBytes());
        HealthHandler status = new HealthHandler(health, registry);
        HttpMetrics httpMetrics = new HttpMetrics(registry);
        ObjectMapper responses = JsonBodies.MAPPER.copy().setSerializationInclusion(JsonInclude.Include.NON_NULL);
        AccessControl access = new AccessControl(config.security(), registry);

        return Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(responses, false));
            c.http.maxRequestSize = config.maxBodyBytes();
            c.http.prefer405over404 = true;
            // Answers are a few hundred bytes: compressing them would cost more than it saves, and
            // Javalin's check for it alone was a tenth of the time spent per publish.
            c.http.compressionStrategy = CompressionStrategy.NONE;
            // Graceful stop: Jetty stops accepting, then waits for requests in flight (bounded).
            c.jetty.modifyServer(server -> {
                GracefulHandler graceful = new GracefulHandler();
                graceful.setShutdownIdleTimeout(200); // idle keep-alive connections must not hold the stop up
                server.setHandler(graceful);
                server.setStopTimeout(config.shutdownTimeout().toMillis());
                server.setErrorHandler(new JettyErrors()); // problem+json for what Jetty refuses itself (431)
            });
            Https.serveIfConfigured(c, config);
            // X-Request-Id on every response, and the request's id in the log context of its lines.
            c.jetty.modifyServletContextHandler(handler -> handler.addFilter(
                    new FilterHolder(new RequestIds()),
                    "/*",
                    EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC)));
            boolean debug = requestLog.isDebugEnabled();
            c.requestLogger.http((ctx, ms) -> {
                httpMetrics.record(ctx, ms);
                if (debug) {
                    // may run on the thread that completed an asynchronous request
                    try (RequestIds.Scope ignored = RequestIds.logContext(ctx)) {
                        requestLog.debug("{} {} {} {}ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(ms));
                    }
                }
            });
            // Room for a token of up to SecurityConfig.MAX_TOKEN_BYTES besides the other headers: a larger
            // token is answered 401 by AccessControl; a larger header block, 431 by Jetty.
            c.jetty.modifyHttpConfiguration(http -> http.setRequestHeaderSize(REQUEST_HEADER_BYTES));
            Problems.register(c);

            // Authentication, quotas and scopes, from the Scope each route is declared with below
            // (no scope: open to all).
            c.routes.beforeMatched(access::check);

            c.routes.get("/healthz", status::live);
            c.routes.get("/healthz/ready", status::ready);
            c.routes.get("/metrics", status::metrics, Scope.METRICS_READ); // only with METRICS_AUTH=true
            if (gateway == null) {
                return;
            }
            PublishHandler publish = new PublishHandler(gateway.publisher(), gateway.publishMetrics(), bodies, access);
            TopologyHandler topo =
                    new TopologyHandler(gateway.topology(), gateway.queueDepths(), gateway.management(), bodies);

            // PUBLISH: 'publish' or 'publish:<exchange>', the exchange checked once the body is read.
            c.routes.post("/api/v1/publish", publish::publish, Scope.PUBLISH);

            c.routes.post("/api/v1/exchanges", topo::declareExchange, Scope.TOPOLOGY_WRITE);
            c.routes.delete("/api/v1/exchanges/{name}", topo::deleteExchange, Scope.TOPOLOGY_WRITE);

            c.routes.get("/api/v1/queues", topo::listQueues, Scope.TOPOLOGY_READ);
            c.routes.post("/api/v1/queues", topo::declareQueue, Scope.TOPOLOGY_WRITE);
            c.routes.get("/api/v1/queues/{name}", topo::getQueue, Scope.TOPOLOGY_READ);
            c.routes.delete("/api/v1/queues/{name}", topo::deleteQueue, Scope.TOPOLOGY_WRITE);
            c.routes.post("/api/v1/queues/{name}/purge", topo::purgeQueue, Scope.TOPOLOGY_WRITE);

            c.routes.post("/api/v1/bindings", topo::bind, Scope.TOPOLOGY_WRITE);
            c.routes.delete("/api/v1/bindings", topo::unbind, Scope.TOPOLOGY_WRITE);
        });
    }
}
