package io.queueservice.redrive;

import com.rabbitmq.client.AMQP;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.worker.FailureHeaders;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The headers of a redriven message, and of a message a redrive could not move.
 *
 * <p>A redriven message starts a new life: the records of its past failures are removed (the toolkit's attempt
 * count and failure headers, the broker's {@code x-death} and delivery count), so its attempts count from one
 * again. Its original exchange and routing key stay, and three headers record the redrive: {@value #COUNT} (how
 * many times it was redriven), {@value #REDRIVEN_AT} and {@value #REDRIVEN_FROM}.
 *
 * <p>A message that could not be moved goes back to the dead-letter queue with {@value #FAILURE}, {@value
 * #FAILED_AT} and {@value #TASK} (the redrive's id) added, and everything else unchanged.
 */
public final class RedriveHeaders {
    /** How many times the message was redriven. */
    public static final String COUNT = "qs-redrive-count";
    /** When it was last redriven (ISO-8601). */
    public static final String REDRIVEN_AT = "qs-redriven-at";
    /** The queue it was last redriven from. */
    public static final String REDRIVEN_FROM = "qs-redriven-from";
    /** Why the last redrive could not move it. */
    public static final String FAILURE = "qs-redrive-failure";
    /** When the last redrive could not move it (ISO-8601). */
    public static final String FAILED_AT = "qs-redrive-failed-at";
    /** The id of the redrive that could not move it. */
    public static final String TASK = "qs-redrive-task";

    private static final List<String> PAST_LIFE = Stream.of(
                    List.of(
                            FailureHeaders.ATTEMPT,
                            FailureHeaders.FIRST_FAILED_AT,
                            FailureHeaders.LAST_FAILED_AT,
                            FailureHeaders.REASON,
                            FailureHeaders.EXCEPTION_CLASS,
                            FailureHeaders.EXCEPTION_MESSAGE),
                    FailureHeaders.BROKER_FAILURE_HEADERS,
                    List.of(FAILURE, FAILED_AT, TASK))
            .flatMap(List::stream)
            .toList();

    private RedriveHeaders() {}

    /** The properties of the redriven copy of a message taken from {@code queue}. */
    static AMQP.BasicProperties redriven(AMQP.BasicProperties props, String queue, Instant now) {
        Map<String, Object> h = headers(props);
        PAST_LIFE.forEach(h::remove);
        int count = h.get(COUNT) instanceof Number n ? n.intValue() : 0;
        h.put(COUNT, count + 1);
        h.put(REDRIVEN_AT, now.toString());
        h.put(REDRIVEN_FROM, queue);
        return props.builder().headers(h).build();
    }

    /** The properties of a message put back because redrive {@code task} could not move it. */
    static AMQP.BasicProperties failed(AMQP.BasicProperties props, String task, String why, Instant now) {
        Map<String, Object> h = headers(props);
        h.put(FAILURE, why);
        h.put(FAILED_AT, now.toString());
        h.put(TASK, task);
        return props.builder().headers(h).build();
    }

    /** Whether redrive {@code task} put this message back itself (it has gone round the whole queue). */
    static boolean putBackBy(AMQP.BasicProperties props, String task) {
        Object v = props.getHeaders() == null ? null : props.getHeaders().get(TASK);
        return v != null && v.toString().equals(task);
    }

    /** A copy of the headers, without the one the publisher reserves (a dead letter may carry it). */
    private static Map<String, Object> headers(AMQP.BasicProperties props) {
        Map<String, Object> h = new HashMap<>(props.getHeaders() == null ? Map.of() : props.getHeaders());
        h.remove(ConfirmingPublisher.RESERVED_HEADER);
        return h;
    }
}
