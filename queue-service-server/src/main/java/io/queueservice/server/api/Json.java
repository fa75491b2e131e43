package io.queueservice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionStage;

/** Writes JSON answers: one JSON configuration for every response body. */
final class Json {
    static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("application/json");
    private static final CharSequence CONTENT_TYPE_HEADER = HttpHeaders.CONTENT_TYPE;

    private static final String LISTENER = "qs.answerListener";

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
        AnswerListener listener = ctx.get(LISTENER);
        if (listener == null) {
            send(ctx, status, contentType, body);
            return;
        }
        ctx.remove(LISTENER);
        Context context = Vertx.currentContext();
        listener.answering(status, contentType.toString(), body).whenComplete((ok, failure) -> {
            if (context == null) {
                send(ctx, status, contentType, body);
            } else {
                context.runOnContext(v -> send(ctx, status, contentType, body));
            }
        });
    }

    private static void send(RoutingContext ctx, int status, CharSequence contentType, byte[] body) {
        HttpServerResponse response = ctx.response();
        response.setStatusCode(status)
                .putHeader(CONTENT_TYPE_HEADER, contentType)
                .end(Buffer.buffer(body));
    }

    /** Told the final answer to a request before it is sent (see {@link #onAnswer}). */
    @FunctionalInterface
    interface AnswerListener {
        /** @return completed when the answer may be sent */
        CompletionStage<?> answering(int status, String contentType, byte[] body);
    }

    /**
     * Has {@code listener} told the request's answer (success or problem) before it is sent, and the answer
     * sent once the listener's future completes.
     */
    static void onAnswer(RoutingContext ctx, AnswerListener listener) {
        ctx.put(LISTENER, listener);
    }
}
