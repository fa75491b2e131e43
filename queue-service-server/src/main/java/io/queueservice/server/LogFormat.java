package io.queueservice.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Iterator;
import org.slf4j.LoggerFactory;

/**
 * {@code LOG_FORMAT}: how log lines are written.
 *
 * <ul>
 *   <li>{@code text} (the default): the pattern of {@code logback.xml}, one line for humans: {@code <time>
 *       <level> [<thread>] <logger> - <message>}, followed by the log context ({@code [requestId=...,
 *       traceId=...]}) when there is one.
 *   <li>{@code json}: one JSON object per line, for log pipelines, written by Logback's own {@link
 *       JsonEncoder}: {@code timestamp} (milliseconds since the epoch), {@code level}, {@code threadName},
 *       {@code loggerName}, {@code mdc} (the log context: {@code requestId}, {@code traceId}, {@code
 *       traceparent}, {@code messageId}, {@code queue}), {@code formattedMessage}, and {@code throwable}
 *       (class, message, stack frames, causes) for an exception. The message's template and arguments are
 *       left out: the formatted message says it all.
 * </ul>
 *
 * <p>Only the encoder changes: lines go where {@code logback.xml} sends them (standard output, or standard
 * error in {@code consume} mode).
 */
public final class LogFormat {
    /** Where an appender's own encoder is kept while JSON replaces it (a context object, per appender). */
    private static final String SAVED = LogFormat.class.getName() + ".textEncoder.";

    private LogFormat() {}

    /**
     * Writes the lines of the root logger's stream appenders (the console) in this format.
     *
     * @param format {@code text} or {@code json}, as validated by {@link ServerConfig}
     */
    public static void apply(String format) {
        apply(format, (LoggerContext) LoggerFactory.getILoggerFactory());
    }

    static void apply(String format, LoggerContext context) {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (!(it.next() instanceof OutputStreamAppender<ILoggingEvent> stream)) {
                continue;
            }
            Encoder<ILoggingEvent> current = stream.getEncoder();
            String key = SAVED + stream.getName();
            if ("json".equals(format) && !(current instanceof JsonEncoder)) {
                context.putObject(key, current);
                stream.setEncoder(json(context));
            } else if (!"json".equals(format) && current instanceof JsonEncoder) {
                @SuppressWarnings("unchecked")
                Encoder<ILoggingEvent> text = (Encoder<ILoggingEvent>) context.getObject(key);
                if (text != null) { // the one logback.xml configured, still started
                    stream.setEncoder(text);
                    current.stop();
                }
            }
        }
    }

    /** A started encoder of the {@code json} format. */
    static Encoder<ILoggingEvent> json(Context context) {
        JsonEncoder json = new JsonEncoder();
        json.setContext(context);
        json.setWithSequenceNumber(false);
        json.setWithNanoseconds(false);
        json.setWithContext(false); // the same on every line: the logger context's name and birth date
        json.setWithMessage(false); // the template ("{} {}"): formattedMessage says it all
        json.setWithArguments(false);
        json.setWithFormattedMessage(true);
        json.start();
        return json;
    }
}
