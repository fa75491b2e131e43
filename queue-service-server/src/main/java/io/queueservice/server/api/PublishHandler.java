package io.queueservice.server.api;

import io.javalin.http.Context;
import io.queueservice.broker.InvalidRequestException;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.PublishMetrics.PublishFailure;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;

/** {@code POST /api/v1/publish}: answers 202 only once the broker confirmed the message. */
final class PublishHandler {
    /** What a successful publish answers. */
    record Published(String status, String messageId, String exchange, String routingKey) {}

    private final ConfirmingPublisher publisher;
    private final PublishMetrics metrics;
    private final JsonBodies bodies;

    PublishHandler(ConfirmingPublisher publisher, PublishMetrics metrics, JsonBodies bodies) {
        this.publisher = publisher;
        this.metrics = metrics;
        this.bodies = bodies;
    }

    void publish(Context ctx) {
        OutgoingMessage message;
        try {
            message = bodies.read(ctx, PublishRequest.class).toMessage();
        } catch (InvalidRequestException e) {
            metrics.publishFailed("", PublishFailure.INVALID); // the request's names cannot be trusted as labels
            throw e;
        }
        Published answer = new Published(
                "published", message.properties().getMessageId(), message.exchange(), message.routingKey());
        // Asynchronous: no request thread waits for the confirm; failures reach the problem mapper.
        ctx.future(() -> publisher
                .publish(message)
                .thenAccept(confirmed -> ctx.status(202).json(answer)));
    }
}
