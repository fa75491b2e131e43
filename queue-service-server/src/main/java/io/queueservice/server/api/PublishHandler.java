package io.queueservice.server.api;

import io.javalin.http.Context;
import io.queueservice.publish.ConfirmingPublisher;
import io.queueservice.publish.OutgoingMessage;

/** {@code POST /api/v1/publish}: answers 202 only once the broker confirmed the message. */
final class PublishHandler {
    /** What a successful publish answers. */
    record Published(String status, String messageId, String exchange, String routingKey) {}

    private final ConfirmingPublisher publisher;
    private final JsonBodies bodies;

    PublishHandler(ConfirmingPublisher publisher, JsonBodies bodies) {
        this.publisher = publisher;
        this.bodies = bodies;
    }

    void publish(Context ctx) {
        OutgoingMessage message = bodies.read(ctx, PublishRequest.class).toMessage();
        Published answer = new Published("published", message.properties().getMessageId(), message.exchange(), message.routingKey());
        // Asynchronous: no request thread waits for the confirm; failures reach the problem mapper.
        ctx.future(() -> publisher.publish(message).thenAccept(confirmed -> ctx.status(202).json(answer)));
    }
}
