package io.queueservice.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Every log event of the process (on the root logger) while open, with its whole text. */
public final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** Message, log context and stack trace of an event: everything an appender could write. */
    public static String text(ILoggingEvent e) {
        StringBuilder s = new StringBuilder()
                .append(e.getLevel())
                .append(' ')
                .append(e.getLoggerName())
                .append(' ')
                .append(e.getFormattedMessage())
                .append(' ')
                .append(e.getMDCPropertyMap());
        if (e.getThrowableProxy() != null) {
            s.append('\n').append(ThrowableProxyUtil.asString(e.getThrowableProxy()));
        }
        return s.toString();
    }

    /** All events as text, one per line. */
    public String all() {
        StringBuilder s = new StringBuilder();
        events().forEach(e -> s.append(text(e)).append('\n'));
        return s.toString();
    }

    public void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
