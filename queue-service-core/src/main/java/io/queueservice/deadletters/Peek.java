package io.queueservice.deadletters;

import java.util.List;

/**
 * What a look into a queue found.
 *
 * @param depth the messages ready in the queue when the look began
 * @param messages the first of them, at most as many as asked, in the order the broker delivered them
 */
public record Peek(String queue, long depth, List<PeekedMessage> messages) {
    public Peek {
        messages = List.copyOf(messages);
    }
}
