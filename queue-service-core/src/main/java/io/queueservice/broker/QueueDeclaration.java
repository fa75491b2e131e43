package io.queueservice.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/** How {@link Topology} declares a queue: the steps on the channel, and which queues need a connection alone. */
final class QueueDeclaration {
    private QueueDeclaration() {}

    /**
     * Whether these queue arguments make a replicated queue (quorum or stream), whose declaration the
     * broker may answer by closing the connection.
     */
    static boolean replicated(Map<String, Object> queueArguments) {
        Object type = queueArguments.get(QueueSpec.TYPE_ARGUMENT);
        return type != null && !type.toString().equals(QueueType.CLASSIC.amqpName());
    }

    /** Declares the queue on one channel; true when it did not exist before. */
    static boolean declare(Channel first, QueueSpec spec, Map<String, Object> arguments) throws IOException {
        boolean existed;
        Channel ch = first;
        try {
            ch.queueDeclarePassive(spec.name());
            existed = true;
        } catch (IOException e) {
            if (!(BrokerErrors.translate(e) instanceof ResourceNotFoundException)) {
                throw e;
            }
            existed = false; // the broker closed the channel over the passive declare: take another
            ch = first.getConnection().createChannel();
            if (ch == null) {
                throw new BrokerUnavailableException(
                        "the broker connection has no free channel", Duration.ofSeconds(1));
            }
        }
        try {
            FrameSize.check(
                    ch.getConnection(),
                    new AMQP.Queue.Declare.Builder()
                            .queue(spec.name())
                            .durable(spec.durable())
                            .autoDelete(spec.autoDelete())
                            .arguments(arguments)
                            .build(),
                    "arguments");
            ch.queueDeclare(spec.name(), spec.durable(), false, spec.autoDelete(), arguments);
            return !existed;
        } finally {
            if (ch != first) {
                Topology.closeQuietly(ch);
            }
        }
    }
}
