package io.queueservice.server.api;

import io.javalin.http.Context;
import io.queueservice.tracing.LogFields;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.MDC;

/**
 * A request id for every HTTP request: the {@value #HEADER} header it came with when that one is sane
 * (printable ASCII, at most {@value #MAX_LENGTH} characters), else a generated UUID. It is returned in
 * the {@value #HEADER} response header of every response (errors and unknown paths included) and is in
 * the log context ({@link LogFields#REQUEST_ID} in the SLF4J MDC) of every line logged for the request.
 *
 * <p>A servlet filter, so it wraps everything Javalin does with the request: the id is set before any
 * handler runs, and the MDC of the request thread is given back as it was once the request thread is
 * done, so ids never leak from one request to the next. Work done for the request on other threads
 * (the confirm of an asynchronous publish, the problem mapper and the request log when a future
 * completes) takes the request's log context with {@link #logContext(Context)}.
 */
final class RequestIds implements Filter {
    static final String HEADER = "X-Request-Id";
    static final int MAX_LENGTH = 128;

    /** The request attribute holding the request's log context (a {@code Map<String, String>}). */
    private static final String ATTRIBUTE = RequestIds.class.getName() + ".logContext";

    /** Closes without a checked exception, for try-with-resources. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** The id a request with this {@value #HEADER} value gets: that value when sane, else a new one. */
    static String idFor(String received) {
        return isSane(received) ? received : PublishRequest.newMessageId();
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

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        Map<String, String> fields = fields(req);
        if (fields == null) { // not an asynchronous dispatch of a request already seen
            String id = idFor(((HttpServletRequest) req).getHeader(HEADER));
            fields = new ConcurrentHashMap<>();
            fields.put(LogFields.REQUEST_ID, id);
            req.setAttribute(ATTRIBUTE, fields);
            ((HttpServletResponse) res).setHeader(HEADER, id);
        }
        try (Scope ignored = scope(fields)) {
            chain.doFilter(req, res);
        }
    }

    /** The request's id (never null once the request went through this filter). */
    static String id(Context ctx) {
        Map<String, String> fields = fields(ctx.req());
        return fields == null ? null : fields.get(LogFields.REQUEST_ID);
    }

    /**
     * Adds a field to the request's log context: in the MDC of the calling thread now, and in {@link
     * #logContext(Context)} from now on.
     */
    static void put(Context ctx, String key, String value) {
        if (value == null) {
            return;
        }
        Map<String, String> fields = fields(ctx.req());
        if (fields != null) {
            fields.put(key, value);
        }
        MDC.put(key, value);
    }

    /**
     * Puts the request's log context in the MDC of the calling thread until closed, then gives that MDC
     * back as it was: for work done for the request outside the request thread.
     */
    static Scope logContext(Context ctx) {
        Map<String, String> fields = fields(ctx.req());
        return fields == null ? () -> {} : scope(fields);
    }

    private static Scope scope(Map<String, String> fields) {
        Map<String, String> previous = MDC.getCopyOfContextMap();
        fields.forEach(MDC::put);
        return () -> {
            if (previous == null || previous.isEmpty()) {
                MDC.clear();
            } else {
                MDC.setContextMap(previous);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> fields(ServletRequest req) {
        return (Map<String, String>) req.getAttribute(ATTRIBUTE);
    }
}
