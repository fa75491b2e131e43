package io.queueservice.worker;

import com.rabbitmq.client.Channel;
import java.io.IOException;

/** Settles the deliveries of one channel with the broker: acknowledges them or hands them back. */
interface Acknowledger {
    /** Done with: the broker removes the message (now, or with the acknowledgements that follow). */
    void ack(long tag) throws IOException;

    /** Back to the queue as it was. */
    void requeue(long tag) throws IOException;

    /** Every delivery on its own, at once: for handlers that hold a thread per message in flight. */
    static Acknowledger oneByOne(Channel channel) {
        return new Acknowledger() {
            @Override
            public void ack(long tag) throws IOException {
                channel.basicAck(tag, false);
            }

            @Override
            public void requeue(long tag) throws IOException {
                channel.basicNack(tag, false, true);
            }
        };
    }
}
