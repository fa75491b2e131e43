package io.queueservice.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What Jetty answers itself, before any route runs (a header block larger than {@link
 * HttpApi#REQUEST_HEADER_BYTES} gets 431, a malformed request 400): a problem+json body like every other
 * error, instead of Jetty's HTML page, whatever the method. The detail is fixed per status: nothing from
 * the request is echoed.
 *
 * <p>A request line with an HTTP version other than 1.0 or 1.1 is answered 400, not Jetty's 505: it is
 * the client's mistake, and nothing a client sends may cause a 5xx (which monitoring counts as the
 * service's failure).
 */
final class JettyErrors extends ErrorHandler {
    /** Jetty's own default writes a body only for GET, POST and HEAD; a refused DELETE got an empty 400. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        Problem problem = switch (code) {
            case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 ->
                Problem.of(
                        "headers-too-large",
                        "Request headers too large",
                        code,
                        "the request's headers are larger than " + HttpApi.REQUEST_HEADER_BYTES + " bytes");
            case HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 -> {
                response.setStatus(HttpStatus.BAD_REQUEST_400);
                yield Problem.of(
                        "http-version",
                        "HTTP version not supported",
                        HttpStatus.BAD_REQUEST_400,
                        "the service speaks HTTP/1.1 (and HTTP/1.0)");
            }
            default -> Problem.of("http", "HTTP " + code, code, HttpStatus.getMessage(code));
        };
        byte[] body;
        try {
            body = JsonBodies.MAPPER.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
