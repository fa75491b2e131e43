package io.queueservice.server.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the service, started and stopped as one: the Vert.x instance it runs on and the
 * server itself. Built by {@link HttpApi#create}.
 */
public final class ApiServer {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final Vertx vertx;
    private final HttpServer server;
    private final Duration shutdownTimeout;
    private final List<HttpApi.DeclaredRoute> routes;

    ApiServer(Vertx vertx, HttpServer server, Duration shutdownTimeout, List<HttpApi.DeclaredRoute> routes) {
        this.vertx = vertx;
        this.server = server;
        this.shutdownTimeout = shutdownTimeout;
        this.routes = List.copyOf(routes);
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
