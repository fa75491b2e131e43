package io.queueservice.server.api;

import io.queueservice.tracing.LogFields;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * A request id for every HTTP request: the {@value #HEADER} header it came with when that one is sane
 * (printable ASCII, at most {@value #MAX_LENGTH} characters), else a generated UUID. It is returned in
 * the {@value #HEADER} response header of every response (errors and unknown paths included) and is in
 * the log context ({@link LogFields#REQUEST_ID} in the SLF4J MDC) of every line logged for the request.
 *
 * <p>An event loop serves many requests in turn, so the MDC holds a request's fields only while code runs
 * for it: {@link ApiRouter} wraps each request's handlers in {@link #logContext(RoutingContext)}, and work done
 * for the request later or on another thread (the confirm of a publish, a blocking handler) takes the
 * request's log context the same way.
 */
final class RequestIds {
    static final String HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 128;

    /** The routing context entry holding the request's log context (a {@code Map<String, String>}). */
    private static final String FIELDS = "qs.logContext";

    private RequestIds() {}

    /** Closes without a checked exception, for try-with-resources. */
    interface LogScope extends AutoCloseable {
        @Override
        void close();
    }

    /** The id a request with this {@value #HEADER} value gets: that value when sane, else a new one. */
    static String idFor(String received) {
        return isSane(received) ? received : PublishMessages.newMessageId();
    }

    /** Not blank, at most {@value #MAX_LENGTH} characters, all printable ASCII (space to tilde). */
    static boolean isSane(String id) {
        if (id == null || id.isBlank() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** Gives the request its id: in its log context and in the {@value #HEADER} response header. */
    static void assign(RoutingContext ctx) {
        String id = idFor(ctx.request().getHeader(HEADER));
        Map<String, String> fields = new HashMap<>(4);
        fields.put(LogFields.REQUEST_ID, id);
        ctx.put(FIELDS, fields);
        ctx.response().putHeader(HEADER, id);
    }

    /** The request's id (null before {@link #assign}). */
    static String id(RoutingContext ctx) {
        Map<String, String> fields = ctx.get(FIELDS);
        return fields == null ? null : fields.get(LogFields.REQUEST_ID);
    }

    /**
     * Adds a field to the request's log context: in the MDC of the calling thread now, and in {@link
     * #logContext(RoutingContext)} from now on. Called on the request's event loop only.
     */
    static void put(RoutingContext ctx, String key, String value) {
        if (value == null) {
            return;
        }
        Map<String, String> fields = ctx.get(FIELDS);
        if (fields != null) {
            fields.put(key, value);
        }
        MDC.put(key, value);
    }

    /**
     * Puts the request's log context in the MDC of the calling thread until closed, then gives the keys it set
     * back their values from before (on an event loop: none). No copy of the MDC is made: this runs for every
     * request.
     */
    static LogScope logContext(RoutingContext ctx) {
        Map<String, String> fields = ctx.get(FIELDS);
        if (fields == null) {
            return () -> {};
        }
        String[] keys = fields.keySet().toArray(String[]::new);
        String[] before = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            before[i] = MDC.get(keys[i]);
            MDC.put(keys[i], fields.get(keys[i]));
        }
        return () -> {
            for (int i = 0; i < keys.length; i++) {
                if (before[i] == null) {
                    MDC.remove(keys[i]);
                } else {
                    MDC.put(keys[i], before[i]);
                }
            }
        };
    }
}
