package io.queueservice.server.api;

import io.queueservice.deadletters.DeadLetterOperations;
import io.queueservice.deadletters.MessageBrowser;
import io.queueservice.server.api.DeadLetterViews.DeadLetterQueues;
import io.queueservice.server.api.DeadLetterViews.Messages;
import io.queueservice.validation.InvalidRequestException;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /api/v1/deadletters} and {@code GET /api/v1/queues/{name}/messages}. Both wait for the broker: they
 * run on worker threads.
 */
final class DeadLetterHandler {
    static final int DEFAULT_LIMIT = 10;

    private final DeadLetterOperations deadLetters;

    DeadLetterHandler(DeadLetterOperations deadLetters) {
        this.deadLetters = deadLetters;
    }

    void list(RoutingContext ctx) {
        Json.write(ctx, 200, DeadLetterQueues.of(deadLetters.deadLetterQueues()));
    }

    /** The first {@code limit} messages (1 to 100, 10 by default), put back after. */
    void peek(RoutingContext ctx) {
        int limit = limit(ctx.queryParam("limit"));
        Json.write(ctx, 200, Messages.of(deadLetters.peek(ctx.pathParam("name"), limit)));
    }

    private static int limit(List<String> values) {
        if (values.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        String raw = values.get(0);
        String rule = "must be an integer from 1 to " + MessageBrowser.MAX_LIMIT;
        int limit;
        try {
            limit = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("limit", rule + " but was '" + raw + "'");
        }
        if (limit < 1 || limit > MessageBrowser.MAX_LIMIT || values.size() > 1) {
            throw new InvalidRequestException(
                    "limit", values.size() > 1 ? "must be given once" : rule + " but was " + limit);
        }
        return limit;
    }
}
