package io.queueservice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.UncheckedIOException;

/** Writes JSON answers: one JSON configuration for every response body. */
final class Json {
    static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("application/json");
    private static final CharSequence CONTENT_TYPE_HEADER = HttpHeaders.CONTENT_TYPE;

    /** Responses leave out null fields. */
    static final ObjectMapper RESPONSES =
            JsonBodies.MAPPER.copy().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private Json() {}

    /** Answers {@code status} with {@code value} as {@code application/json}. */
    static void write(RoutingContext ctx, int status, Object value) {
        write(ctx, status, CONTENT_TYPE, value);
    }

    /** Answers {@code status} with {@code value} as JSON of the given media type. */
    static void write(RoutingContext ctx, int status, CharSequence contentType, Object value) {
        byte[] body;
        try {
            body = RESPONSES.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a record of ours that Jackson cannot write: a bug
        }
        HttpServerResponse response = ctx.response();
        response.setStatusCode(status)
                .putHeader(CONTENT_TYPE_HEADER, contentType)
                .end(Buffer.buffer(body));
    }
}
