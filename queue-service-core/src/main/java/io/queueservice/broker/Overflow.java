package io.queueservice.broker;

/** What a queue at its length limit does with a new message ({@code x-overflow}). */
public enum Overflow {
    DROP_HEAD("drop-head"),
    REJECT_PUBLISH("reject-publish"),
    REJECT_PUBLISH_DLX("reject-publish-dlx");

    private final String amqpName;

    Overflow(String amqpName) {
        this.amqpName = amqpName;
    }

    public String amqpName() {
        return amqpName;
    }
}
