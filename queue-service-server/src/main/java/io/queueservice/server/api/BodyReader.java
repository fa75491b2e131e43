package io.queueservice.server.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;

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
    private final String limitVariable;

    /** @param limitVariable the setting that sets {@code limit}, named in the answer to a body over it */
    BodyReader(long limit, String limitVariable) {
        this.limit = limit;
        this.limitVariable = limitVariable;
    }

    /** A body over the limit: answered 413. */
    static final class TooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit, String variable) {
            super(
                    "the request body is larger than the limit of " + limit + " bytes (" + variable + ")",
                    null,
                    false,
                    false);
        }
    }

    private static final byte[] EMPTY = new byte[0];

    /** The body read for this request: empty when there was none. Not to be changed: it is not a copy. */
    static byte[] body(RoutingContext ctx) {
        byte[] body = ctx.get(BODY);
        return body == null ? EMPTY : body;
    }

    /**
     * The body, which the request then no longer holds: for the handler that reads it, so that it is not kept
     * while the request waits for the broker (batches of large bodies wait long).
     */
    static byte[] take(RoutingContext ctx) {
        byte[] body = ctx.remove(BODY);
        return body == null ? EMPTY : body;
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
        // Straight into one array of the declared size: no copy of the whole body after it is read.
        Body body = new Body(declared > 0 ? (int) declared : 1024);
        request.handler(chunk -> {
            if (body.refused) {
                return;
            }
            if (body.size + chunk.length() > limit) {
                body.refused = true;
                tooLarge(ctx);
                return;
            }
            body.append(chunk);
        });
        request.endHandler(end -> {
            if (!body.refused) {
                ctx.put(BODY, body.release());
                ctx.next();
            }
        });
        request.resume();
    }

    /** The bytes read so far. */
    private static final class Body {
        byte[] bytes;
        int size;
        boolean refused;

        Body(int capacity) {
            bytes = new byte[capacity];
        }

        void append(Buffer chunk) {
            int length = chunk.length();
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + length, bytes.length * 2));
            }
            chunk.getBytes(0, length, bytes, size);
            size += length;
        }

        /** The bytes read, which this object then no longer holds (the request's handlers live as long as it). */
        byte[] release() {
            byte[] read = size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
            bytes = null;
            return read;
        }
    }

    private void tooLarge(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ctx.fail(413, new TooLargeException(limit, limitVariable));
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
