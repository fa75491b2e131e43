package io.queueservice.tracing;

/** Names of the fields this project puts in the SLF4J MDC (the log context of each line). */
public final class LogFields {
    /** The HTTP request's id: its {@code X-Request-Id} header, or one generated for it. */
    public static final String REQUEST_ID = "requestId";
    /** The trace id (32 hex digits) of the W3C {@code traceparent} a request or message came with. */
    public static final String TRACE_ID = "traceId";
    /** The whole W3C {@code traceparent} of the message being handled. */
    public static final String TRACEPARENT = TraceContext.TRACEPARENT;
    /** The id of the message being handled (its AMQP {@code message-id}). */
    public static final String MESSAGE_ID = "messageId";
    /** The queue the message being handled came from. */
    public static final String QUEUE = "queue";

    private LogFields() {}
}
