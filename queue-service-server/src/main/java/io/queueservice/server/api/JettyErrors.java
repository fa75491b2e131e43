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
 * error, instead of Jetty's HTML page. The detail is fixed per status: nothing from the request is echoed.
 */
final class JettyErrors extends ErrorHandler {
    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        Problem problem = code == HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431
                ? Problem.of(
                        "headers-too-large",
                        "Request headers too large",
                        code,
                        "the request's headers are larger than " + HttpApi.REQUEST_HEADER_BYTES + " bytes")
                : Problem.of("http", "HTTP " + code, code, HttpStatus.getMessage(code));
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
