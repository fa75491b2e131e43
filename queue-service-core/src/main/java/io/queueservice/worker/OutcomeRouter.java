package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import io.queueservice.metrics.WorkerMetrics;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on a handler's {@link Outcome} for one delivery, exactly once: acknowledges it, or moves a copy to a retry
 * queue of the {@link RetrySchedule} or to the dead-letter queue, then acknowledges the original once the broker
 * confirmed the copy. When the copy cannot be stored, the original goes back to the queue instead: redelivered,
 * never lost.
 */
final class OutcomeRouter {
    // The worker's logger: one name for everything a worker logs, whichever class does the work.
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final String queue;
    private final RetrySchedule schedule;
    private final ConfirmingPublisher publisher;
    private final WorkerMetrics metrics;

    OutcomeRouter(String queue, RetrySchedule schedule, ConfirmingPublisher publisher, WorkerMetrics metrics) {
        this.queue = queue;
        this.schedule = schedule;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    /**
     * @param error what the handler threw, or null when it returned the outcome
     * @param took how long the handler ran
     */
    void route(Delivery delivery, Outcome outcome, Throwable error, Duration took) {
        switch (outcome) {
            case Outcome.Ack a -> {
                delivery.ack();
                metrics.consumed(queue, "ack", took);
            }
            case Outcome.Retry r -> retryOrGiveUp(delivery, r, error, took);
            case Outcome.DeadLetter d -> {
                deadLetter(delivery, delivery.attempt(), d.reason(), error, d.headers());
                metrics.consumed(queue, "dead_letter", took);
            }
            case Outcome.Requeue q -> {
                delivery.requeue();
                metrics.consumed(queue, "requeue", took);
            }
        }
    }

    private void retryOrGiveUp(Delivery delivery, Outcome.Retry retry, Throwable error, Duration took) {
        int attempt = delivery.attempt();
        String why = retry.reason() != null
                ? retry.reason()
                : error != null ? "handler failed: " + error : "handler asked to retry";
        if (attempt > schedule.maxRetries()) {
            deadLetter(
                    delivery,
                    attempt,
                    "retries exhausted after " + attempt + " attempts; last: " + why,
                    error,
                    retry.headers());
            metrics.consumed(queue, "dead_letter", took);
            return;
        }
        Duration delay;
        Duration step;
        if (retry.delay() != null) {
            // A delay the handler asked for goes to the shortest step at least as long (at most the longest step).
            delay = retry.delay();
            step = schedule.stepFor(delay);
        } else if (retry.atLeast() != null) {
            Duration backoff = schedule.jitteredDelay(attempt);
            delay = backoff.compareTo(retry.atLeast()) >= 0 ? backoff : retry.atLeast();
            step = schedule.stepFor(delay);
        } else {
            delay = schedule.jitteredDelay(attempt);
            step = schedule.baseDelay(attempt);
        }
        Duration expiration = delay.compareTo(step) > 0 ? step : delay;
        AMQP.BasicProperties copy = FailureHeaders.afterFailure(
                delivery.properties(),
                delivery.envelope(),
                attempt + 1,
                why,
                error,
                Long.toString(Math.max(0, expiration.toMillis())),
                retry.headers());
        if (republish(delivery, schedule.retryQueue(step), copy)) {
            metrics.retried(queue);
        }
        metrics.consumed(queue, "retry", took);
    }

    private void deadLetter(
            Delivery delivery, int attempt, String reason, Throwable error, java.util.Map<String, String> details) {
        AMQP.BasicProperties copy = FailureHeaders.afterFailure(
                delivery.properties(), delivery.envelope(), attempt, reason, error, null, details);
        if (republish(delivery, schedule.deadLetterQueue(), copy)) {
            metrics.deadLettered(queue);
            log.info(
                    "dead-lettered a message of '{}' after {} attempt(s): {}",
                    queue,
                    attempt,
                    FailureHeaders.truncate(reason));
        }
    }

    /**
     * Publishes the copy to a queue, waits for the broker's confirm, then acknowledges the original. When the copy
     * cannot be stored, the original goes back to the queue.
     */
    private boolean republish(Delivery delivery, String target, AMQP.BasicProperties props) {
        try {
            publisher.publish(toQueue(target, delivery.body(), props)).join();
        } catch (RuntimeException e) {
            log.warn(
                    "cannot move a message of '{}' to '{}' ({}); it goes back to the queue",
                    queue,
                    target,
                    e.toString());
            delivery.requeue();
            return false;
        }
        delivery.ack();
        return true;
    }

    /** Through the default exchange, mandatory: a copy that reaches no queue fails instead of vanishing. */
    private static OutgoingMessage toQueue(String target, byte[] body, AMQP.BasicProperties props) {
        boolean mandatory = true;
        return new OutgoingMessage("", target, body, props, mandatory);
    }
}
