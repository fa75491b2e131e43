package io.queueservice.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.ShutdownSignalException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns what the RabbitMQ client throws into {@link BrokerException}s. A channel closed by the broker
 * carries a reply code and text ("NOT_FOUND - no queue 'q' in vhost '/'"); that is the only place the
 * broker says what was wrong, so the text is parsed here, once.
 */
public final class BrokerErrors {
    private static final Pattern NOT_FOUND = Pattern.compile("no (queue|exchange) '(.*)' in vhost");
    private static final Pattern INEQUIVALENT = Pattern.compile("inequivalent arg '([^']*)'");
    private static final Duration RETRY_AFTER_LOST_CONNECTION = Duration.ofSeconds(1);

    private BrokerErrors() {}

    /** Maps any failure of a broker operation to the {@link BrokerException} a caller can act on. */
    public static BrokerException translate(Throwable failure) {
        if (failure instanceof BrokerException known) {
            return known;
        }
        Throwable cause = failure;
        while (cause != null) {
            if (cause instanceof TimeoutException) {
                return new BrokerTimeoutException("the broker did not answer in time");
            }
            if (cause instanceof ShutdownSignalException signal) {
                return fromShutdown(signal);
            }
            cause = cause.getCause();
        }
        return new BrokerUnavailableException("the broker connection failed", RETRY_AFTER_LOST_CONNECTION, failure);
    }

    private static BrokerException fromShutdown(ShutdownSignalException signal) {
        if (signal.getReason() instanceof AMQP.Connection.Close hard && hard.getReplyCode() == AMQP.NOT_IMPLEMENTED) {
            // e.g. "queue.purge not supported by stream queues": the request asked for something impossible
            return new OperationRefusedException(replyText(hard.getReplyText()), false);
        }
        if (signal.isHardError()
                || signal.isInitiatedByApplication()
                || !(signal.getReason() instanceof AMQP.Channel.Close close)
                || close.getReplyCode() == AMQP.REPLY_SUCCESS) {
            // The connection or channel went away; nothing about the request itself was wrong.
            String why = !signal.isHardError()
                    ? "the channel to the broker was closed"
                    : signal instanceof AlreadyClosedException
                            ? "the broker connection is closed"
                            : "the broker connection was lost";
            return new BrokerUnavailableException(why, RETRY_AFTER_LOST_CONNECTION, signal);
        }
        String text = replyText(close.getReplyText());
        return switch (close.getReplyCode()) {
            case AMQP.NOT_FOUND -> {
                Matcher m = NOT_FOUND.matcher(text);
                yield m.find()
                        ? new ResourceNotFoundException(m.group(1), m.group(2))
                        : new ResourceNotFoundException("resource", text);
            }
            case AMQP.PRECONDITION_FAILED -> {
                Matcher m = INEQUIVALENT.matcher(text);
                if (m.find()) {
                    yield new ResourceConflictException(
                            "already exists with a different value of '" + m.group(1) + "': " + text, m.group(1));
                }
                if (text.endsWith(" in use") || text.endsWith(" not empty")) {
                    yield new ResourceConflictException(text, null);
                }
                yield new OperationRefusedException(text, false);
            }
            case AMQP.RESOURCE_LOCKED -> new ResourceConflictException(text, null);
            case AMQP.ACCESS_REFUSED -> new OperationRefusedException(text, true);
            default -> new OperationRefusedException(text, false);
        };
    }

    /** The broker's explanation without its code prefix: "NOT_FOUND - no queue 'q'" becomes "no queue 'q'". */
    private static String replyText(String text) {
        int dash = text.indexOf(" - ");
        return dash >= 0 ? text.substring(dash + 3) : text;
    }
}
