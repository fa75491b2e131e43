package io.queueservice.server.api;

import com.rabbitmq.client.AMQP;
import io.queueservice.deadletters.DeadLetterListing;
import io.queueservice.deadletters.DeadLetterQueue;
import io.queueservice.deadletters.Failure;
import io.queueservice.deadletters.MessageBody;
import io.queueservice.deadletters.Peek;
import io.queueservice.deadletters.PeekedMessage;
import io.queueservice.redrive.RedriveStatus;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JSON answers of the dead-letter and redrive routes, and their translation from the core's records. */
final class DeadLetterViews {
    private DeadLetterViews() {}

    /**
     * {@code GET /api/v1/deadletters}.
     *
     * @param complete whether the whole virtual host was read (management API), or only what this instance knows
     */
    record DeadLetterQueues(List<DeadLetterQueueView> deadLetterQueues, boolean complete) {
        static DeadLetterQueues of(DeadLetterListing listing) {
            return new DeadLetterQueues(
                    listing.queues().stream().map(DeadLetterQueueView::of).toList(), listing.complete());
        }
    }

    record DeadLetterQueueView(String name, List<String> serves, List<String> via, long messages, long consumers) {
        static DeadLetterQueueView of(DeadLetterQueue q) {
            return new DeadLetterQueueView(
                    q.name(),
                    q.serves(),
                    q.via().stream().map(v -> lower(v.name())).sorted().toList(),
                    q.messages(),
                    q.consumers());
        }
    }

    /** {@code GET /api/v1/queues/{name}/messages}. */
    record Messages(String queue, long depth, List<MessageView> messages) {
        static Messages of(Peek peek) {
            return new Messages(
                    peek.queue(),
                    peek.depth(),
                    peek.messages().stream().map(MessageView::of).toList());
        }
    }

    record MessageView(
            String exchange,
            String routingKey,
            boolean redelivered,
            Properties properties,
            Map<String, Object> headers,
            Body body,
            DeadLetter deadLetter) {
        static MessageView of(PeekedMessage m) {
            return new MessageView(
                    m.exchange(),
                    m.routingKey(),
                    m.redelivered(),
                    Properties.of(m.properties()),
                    m.headers(),
                    Body.of(m.body()),
                    m.failure().map(DeadLetter::of).orElse(null));
        }
    }

    record Properties(
            String contentType,
            String contentEncoding,
            Integer deliveryMode,
            Integer priority,
            String correlationId,
            String replyTo,
            String expiration,
            String messageId,
            String timestamp,
            String type,
            String userId,
            String appId) {
        static Properties of(AMQP.BasicProperties p) {
            return new Properties(
                    p.getContentType(),
                    p.getContentEncoding(),
                    p.getDeliveryMode(),
                    p.getPriority(),
                    p.getCorrelationId(),
                    p.getReplyTo(),
                    p.getExpiration(),
                    p.getMessageId(),
                    p.getTimestamp() == null
                            ? null
                            : p.getTimestamp().toInstant().toString(),
                    p.getType(),
                    p.getUserId(),
                    p.getAppId());
        }
    }

    /** @param encoding {@code text} or {@code base64} */
    record Body(String encoding, String data, int size, boolean truncated) {
        static Body of(MessageBody b) {
            return new Body(lower(b.encoding().name()), b.data(), b.size(), b.truncated());
        }
    }

    /** @param source {@code worker} (the toolkit's headers) or {@code broker} ({@code x-death}) */
    record DeadLetter(
            String source,
            String reason,
            String exceptionClass,
            String exceptionMessage,
            Integer attempts,
            String firstFailedAt,
            String lastFailedAt,
            String originalExchange,
            String originalRoutingKey,
            String queue) {
        static DeadLetter of(Failure f) {
            return new DeadLetter(
                    lower(f.source().name()),
                    f.reason(),
                    f.exceptionClass().orElse(null),
                    f.exceptionMessage().orElse(null),
                    f.attempts().orElse(null),
                    f.firstFailedAt().map(Instant::toString).orElse(null),
                    f.lastFailedAt().map(Instant::toString).orElse(null),
                    f.originalExchange().orElse(null),
                    f.originalRoutingKey().orElse(null),
                    f.queue().orElse(null));
        }
    }

    /** A redrive, as {@code GET /api/v1/redrives/{id}} and the others answer it. */
    record Redrive(
            String id,
            String url,
            String queue,
            String state,
            long moved,
            long failed,
            long toMove,
            String startedAt,
            String finishedAt,
            String reason,
            Long limit,
            int ratePerSecond,
            Destination destination) {
        static Redrive of(RedriveStatus s) {
            return new Redrive(
                    s.id(),
                    RedriveHandler.url(s.id()),
                    s.queue(),
                    lower(s.state().name()),
                    s.moved(),
                    s.failed(),
                    s.toMove(),
                    s.startedAt().toString(),
                    s.finishedAt().map(Instant::toString).orElse(null),
                    s.reason().orElse(null),
                    s.request().limit().isPresent() ? s.request().limit().getAsLong() : null,
                    s.request().ratePerSecond(),
                    s.request()
                            .destination()
                            .map(d -> new Destination(d.exchange(), d.routingKey()))
                            .orElse(null));
        }
    }

    /** Where a redrive sends every message, in requests and answers. */
    record Destination(String exchange, String routingKey) {}

    record Redrives(List<Redrive> redrives) {}

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
