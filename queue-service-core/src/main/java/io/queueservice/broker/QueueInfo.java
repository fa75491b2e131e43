package io.queueservice.broker;

/** What the broker reports about a queue: messages ready for delivery, and consumers. */
public record QueueInfo(String name, long messages, long consumers) {}
