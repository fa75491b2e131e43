package io.queueservice.tracing;

/**
 * W3C trace context (https://www.w3.org/TR/trace-context/): the {@value #TRACEPARENT} and {@value
 * #TRACESTATE} headers, carried from the HTTP publish to the message headers, and from there into the
 * worker's log context. Only version {@code 00} is understood: {@code
 * 00-<trace id: 32 hex>-<parent id: 16 hex>-<flags: 2 hex>}, lower-case hex, neither id all zeros.
 */
public final class TraceContext {
    /** The header (HTTP and message) holding the trace parent. */
    public static final String TRACEPARENT = "traceparent";
    /** The header (HTTP and message) holding vendor trace state; travels only with a traceparent. */
    public static final String TRACESTATE = "tracestate";

    /** Longest tracestate passed on (the specification asks to propagate at least 512 characters). */
    static final int MAX_TRACESTATE = 512;

    private static final int LENGTH = 55; // 2 + 1 + 32 + 1 + 16 + 1 + 2

    private TraceContext() {}

    /** Whether {@code value} is a valid version-00 traceparent. */
    public static boolean isValid(String value) {
        if (value == null || value.length() != LENGTH || !value.startsWith("00-")) {
            return false;
        }
        if (value.charAt(35) != '-' || value.charAt(52) != '-') {
            return false;
        }
        return isHex(value, 3, 35)
                && isHex(value, 36, 52)
                && isHex(value, 53, 55)
                && !isZeros(value, 3, 35)
                && !isZeros(value, 36, 52);
    }

    /** The trace id (32 hex digits) of a valid traceparent, or null when it is not one. */
    public static String traceId(String traceparent) {
        return isValid(traceparent) ? traceparent.substring(3, 35) : null;
    }

    /**
     * Whether a tracestate is fit to pass on: printable ASCII (which the specification's list of
     * {@code key=value} members is made of), not blank, at most {@value #MAX_TRACESTATE} characters.
     * Its members are not parsed: it is passed on as received.
     */
    public static boolean isPassableState(String value) {
        if (value == null || value.isBlank() || value.length() > MAX_TRACESTATE) {
            return false;
        }
        return value.chars().allMatch(c -> c >= 0x20 && c <= 0x7E);
    }

    private static boolean isHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZeros(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }
}
