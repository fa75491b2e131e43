package io.queueservice.server.api;

import io.queueservice.server.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the service, built, started and stopped as one: the Vert.x instance it runs on and the
 * server itself, with its limits and HTTPS. {@link HttpApi#create} declares the routes it serves.
 */
public final class ApiServer {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    /** Largest request header block (and request line); 431 past it. Room for a token and the rest. */
    static final int REQUEST_HEADER_BYTES = 16 * 1024;

    private static final int WORKER_THREADS = 16;
    private static final int IDLE_TIMEOUT_SECONDS = 30;

    static {
        // Vert.x's own log lines go through SLF4J (logback), like every other line of the service.
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
        // The API serves no WebSocket: without them Vert.x leaves a handler out of every connection's pipeline.
        System.setProperty("vertx.disableWebsockets", "true");
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Duration shutdownTimeout;
    private final List<HttpApi.DeclaredRoute> routes;

    private ApiServer(Vertx vertx, HttpServer server, Duration shutdownTimeout, List<HttpApi.DeclaredRoute> routes) {
        this.vertx = vertx;
        this.server = server;
        this.shutdownTimeout = shutdownTimeout;
        this.routes = List.copyOf(routes);
    }

    /**
     * The Vert.x instance a server runs on: one event loop for every connection, and worker threads for the
     * handlers that wait.
     */
    static Vertx newVertx() {
        return Vertx.vertx(new VertxOptions()
                .setPreferNativeTransport(true)
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(WORKER_THREADS)
                .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false)));
    }

    /**
     * The server of {@code router} on {@code vertx}, not started.
     *
     * @param routes what {@code router} serves, as declared
     */
    static ApiServer create(Vertx vertx, Router router, ServerConfig config, List<HttpApi.DeclaredRoute> routes) {
        HttpServerOptions options = new HttpServerOptions()
                .setMaxHeaderSize(REQUEST_HEADER_BYTES)
                .setMaxInitialLineLength(REQUEST_HEADER_BYTES)
                .setHandle100ContinueAutomatically(true)
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(IDLE_TIMEOUT_SECONDS);
        config.https().ifPresent(identity -> Https.serve(options, identity));
        HttpServer server = vertx.createHttpServer(options)
                .connectionHandler(HttpConnections::install)
                .requestHandler(router)
                .invalidRequestHandler(new InvalidRequests());
        return new ApiServer(vertx, server, config.shutdownTimeout(), routes);
    }

    /** Every route the server answers, as declared in {@link HttpApi}'s table, in the order declared. */
    public List<HttpApi.DeclaredRoute> routes() {
        return routes;
    }

    /**
     * Starts listening.
     *
     * @param port 0 for any free port (see {@link #port()})
     * @throws IllegalStateException when the server cannot listen (most often: the port is taken)
     */
    public ApiServer start(String host, int port) {
        try {
            server.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return this;
        } catch (ExecutionException e) {
            vertx.close();
            throw new IllegalStateException(
                    "cannot listen on " + host + ":" + port + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            vertx.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e, e);
        }
    }

    /** The port listened on, useful when started on port 0. */
    public int port() {
        return server.actualPort();
    }

    /**
     * Stops gracefully: no new connections are accepted, idle keep-alive connections are closed, and
     * requests in flight may finish for at most {@code SHUTDOWN_TIMEOUT}; then the event loops stop.
     */
    public void stop() {
        long timeoutMs = shutdownTimeout.toMillis();
        try {
            server.shutdown(timeoutMs, TimeUnit.MILLISECONDS)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(timeoutMs + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the HTTP server did not stop cleanly: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("the HTTP event loops did not stop cleanly: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
