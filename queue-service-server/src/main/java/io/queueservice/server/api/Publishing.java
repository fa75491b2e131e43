package io.queueservice.server.api;

import io.queueservice.delay.ScheduledMessage;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.server.schemas.MessageRejectedException;
import io.queueservice.server.schemas.MessageSchemas;
import io.queueservice.server.security.AccessControl;
import io.queueservice.server.security.Caller;
import io.queueservice.validation.InvalidRequestException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Turns a publish request (alone, or an item of a batch) into what is sent to the broker: the message
 * itself, or, with {@code options.delay}, the message addressed to the delay machinery. Checks what can be
 * checked before anything is sent: the request's fields, the caller's right to publish to the target
 * exchange, that the target is not the delay machinery itself, and the message against the schema attached
 * to its exchange and routing key (see {@link MessageSchemas}).
 */
final class Publishing {
    /** What a publish request becomes. */
    sealed interface Prepared {
        /** What to hand to the publisher. */
        OutgoingMessage toSend();

        /** The answer once the broker confirmed {@link #toSend()}. */
        Object answer();

        /** The message as the client asked for it: to its own exchange and routing key. */
        OutgoingMessage target();
    }

    /** Published now. */
    record Immediate(OutgoingMessage toSend) implements Prepared {
        @Override
        public OutgoingMessage target() {
            return toSend;
        }

        @Override
        public Object answer() {
            return new Published(
                    "published", toSend.properties().getMessageId(), toSend.exchange(), toSend.routingKey());
        }
    }

    /** Published to the delay machinery, delivered to its target when due. */
    record Scheduled(OutgoingMessage target, ScheduledMessage scheduled) implements Prepared {
        @Override
        public OutgoingMessage toSend() {
            return scheduled.message();
        }

        @Override
        public Object answer() {
            return new ScheduledAnswer(
                    "scheduled", scheduled.messageId(), scheduled.deliverAt().toString());
        }
    }

    /** What a confirmed publish answers. */
    record Published(String status, String messageId, String exchange, String routingKey) {}

    /** What a confirmed delayed publish answers. */
    record ScheduledAnswer(String status, String messageId, String deliverAt) {}

    private final AccessControl access;
    private final Delays delays;
    private final PublishMetrics metrics;
    private final MessageSchemas schemas;

    Publishing(AccessControl access, Delays delays, PublishMetrics metrics, MessageSchemas schemas) {
        this.access = access;
        this.delays = delays;
        this.metrics = metrics;
        this.schemas = schemas;
    }

    /**
     * @throws InvalidRequestException when a field is wrong (named by its JSON path)
     * @throws io.queueservice.server.security.AccessDeniedException when the caller may not publish there
     * @throws io.queueservice.server.schemas.MessageRejectedException when the message's schema refuses it
     */
    Prepared prepare(PublishRequest request, Caller caller, String traceparent, String tracestate) {
        OutgoingMessage message;
        Optional<Duration> delay;
        try {
            message = PublishMessages.toMessage(request, traceparent, tracestate);
            delay = request.delay();
            if (delays.isReserved(message.exchange(), message.routingKey())) {
                throw new InvalidRequestException(
                        message.exchange().isEmpty() ? "routingKey" : "exchange",
                        "names a queue or exchange of the delay machinery, which takes messages only through"
                                + " options.delay");
            }
        } catch (InvalidRequestException e) {
            metrics.invalidRequest();
            throw e;
        }
        access.checkPublish(caller, message.exchange());
        try {
            schemas.check(
                    message.exchange(), message.routingKey(), request.message().bytes());
        } catch (MessageRejectedException e) {
            metrics.invalidRequest();
            throw e;
        }
        if (delay.isEmpty()) {
            return new Immediate(message);
        }
        try {
            return new Scheduled(message, delays.schedule(message, delay.get()));
        } catch (InvalidRequestException e) {
            metrics.invalidRequest();
            throw e.renamed(PublishRequest::jsonPath);
        }
    }

    /** A failure of the publisher, its fields named by their JSON path. */
    static Throwable inRequestTerms(Throwable failure) {
        Throwable t = failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure;
        return t instanceof InvalidRequestException e ? e.renamed(PublishRequest::jsonPath) : t;
    }
}
