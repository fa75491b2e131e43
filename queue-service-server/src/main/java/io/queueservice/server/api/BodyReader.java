package io.queueservice.server.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a route's request body whole, up to {@code MAX_BODY_SIZE}, before its handler runs. A body over the
 * limit is refused with 413 as soon as that is known (from its declared length, or while it arrives), and
 * the connection is closed rather than read to the end.
 *
 * <p>The body is read as bytes whatever its declared content type: every body of the API is JSON, and a
 * client that labels it otherwise (form data, say) still gets a JSON answer about its content. (Vert.x
 * Web's own body handler would decode form data instead.)
 */
final class BodyReader implements Handler<RoutingContext> {
    private static final String BODY = "qs.body";

    private final long limit;

    BodyReader(long limit) {
        this.limit = limit;
    }

    /** The body read for this request: empty when there was none. */
    static Buffer body(RoutingContext ctx) {
        Buffer body = ctx.get(BODY);
        return body == null ? Buffer.buffer() : body;
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long declared = declaredLength(request);
        if (declared > limit) {
            tooLarge(ctx);
            return;
        }
        if (request.isEnded()) {
            ctx.next();
            return;
        }
        Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 256);
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > limit) {
                refused[0] = true;
                tooLarge(ctx);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(end -> {
            if (!refused[0]) {
                ctx.put(BODY, body);
                ctx.next();
            }
        });
        request.resume();
    }

    private static void tooLarge(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ctx.fail(413);
    }

    /** The Content-Length header, or -1 when absent or not a number (a chunked body). */
    private static long declaredLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
