package io.queueservice.server.api;

import io.queueservice.broker.ResourceNotFoundException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Set;

/**
 * {@code /console}: the operator console, static files from the jar ({@code io/queueservice/console}) that call
 * the public API from the browser, with the caller's token. The files need no token; the API they call does.
 *
 * <p>Served with a strict Content-Security-Policy: scripts, styles and API calls from this origin only, no inline
 * script or style, no framing, no form posting elsewhere.
 */
final class Console {
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** The console's files: nothing else under {@code /console/} is served. */
    static final Set<String> FILES = Set.of("index.html", "console.js", "console.css");

    private final StaticHandler files = StaticHandler.create("io/queueservice/console")
            .setDirectoryListing(false)
            .setIncludeHidden(false)
            .setCachingEnabled(false)
            .setIndexPage("index.html");

    /** {@code /console} to {@code /console/}, so the page's relative links resolve under it. */
    void redirect(RoutingContext ctx) {
        if (!ctx.request().path().equals("/console")) {
            serve(ctx); // the router lets "/console" match "/console/" too: that one is the page itself
            return;
        }
        ctx.response().setStatusCode(301).putHeader("Location", "/console/").end();
    }

    /** @throws ResourceNotFoundException for any other path than the console's files (404) */
    void serve(RoutingContext ctx) {
        String name = ctx.request().path().substring("/console/".length());
        if (!name.isEmpty() && !FILES.contains(name)) {
            throw new ResourceNotFoundException("file", name);
        }
        HttpServerResponse r = ctx.response();
        r.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("X-Frame-Options", "DENY")
                .putHeader("Cache-Control", "no-cache");
        files.handle(ctx);
    }
}
