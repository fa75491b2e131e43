package io.queueservice.server.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * What the HTTP server refuses itself, before any route runs (a header block larger than {@link
 * ApiServer#REQUEST_HEADER_BYTES} gets 431, a malformed request 400): a problem+json body like every other
 * error, whatever the method. The detail is fixed per status: nothing from the request is echoed.
 *
 * <p>A request line with an HTTP version other than 1.0 or 1.1 is the client's mistake, answered 400 (426
 * for HTTP/2.0 sent as HTTP/1 text, which asks the client to upgrade), never a 5xx: nothing a client sends
 * may cause a 5xx, which monitoring counts as the service's failure.
 */
final class InvalidRequests implements Handler<HttpServerRequest> {
    @Override
    public void handle(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        Problem problem;
        if (cause instanceof TooLongHttpHeaderException) {
            problem = Problem.of(
                    "headers-too-large",
                    "Request headers too large",
                    431,
                    "the request's headers are larger than " + ApiServer.REQUEST_HEADER_BYTES + " bytes");
        } else if (cause instanceof TooLongHttpLineException) {
            problem = Problem.of("http", "HTTP 414", 414, "URI Too Long");
        } else if (cause instanceof HttpConnections.VersionCheck.UnsupportedVersionException v
                && v.version().equals("HTTP/2.0")) {
            problem = Problem.of("http", "HTTP 426", 426, "Upgrade Required");
        } else if (cause instanceof HttpConnections.VersionCheck.UnsupportedVersionException) {
            problem = Problem.of(
                    "http-version", "HTTP version not supported", 400, "the service speaks HTTP/1.1 (and HTTP/1.0)");
        } else {
            problem = Problem.of("http", "HTTP 400", 400, "Bad Request");
        }
        byte[] body;
        try {
            body = Json.RESPONSES.writeValueAsBytes(problem);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            request.connection().close();
            return;
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.CONTENT_TYPE)
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .putHeader(RequestIds.HEADER, RequestIds.idFor(null))
                .end(Buffer.buffer(body))
                .onComplete(done -> request.connection().close());
    }
}
