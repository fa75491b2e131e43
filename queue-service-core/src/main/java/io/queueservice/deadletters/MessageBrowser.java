package io.queueservice.deadletters;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.queueservice.broker.AmqpNames;
import io.queueservice.broker.BrokerConnection;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks at the first messages of a queue without taking them: each is fetched with {@code basic.get} and manual
 * acknowledgement, and all are put back with one {@code basic.nack} (requeue) once read. Should anything fail
 * midway, the connection closes and the broker puts them back all the same: a look never loses a message.
 *
 * <p>What a look does to the messages: the broker marks each as redelivered. A classic queue puts them back in
 * their places. A quorum queue (RabbitMQ 3.x) puts them back at its tail, after every other message, and counts a
 * delivery for each ({@code x-delivery-count}): with a delivery limit on the queue, looking again and again can
 * make the broker dead-letter or drop a message. Streams cannot be looked at this way ({@code basic.get} is refused).
 *
 * <p>Each look runs on a connection of its own (RabbitMQ answers {@code basic.get} on a stream by closing the
 * connection), so a failed look cannot disturb anything else.
 */
public final class MessageBrowser {
    /** Most messages one look returns. */
    public static final int MAX_LIMIT = 100;

    private final BrokerConnection connection;

    public MessageBrowser(BrokerConnection connection) {
        this.connection = connection;
    }

    /**
     * Looks at the first {@code limit} messages ready in a queue and puts them back.
     *
     * @throws InvalidRequestException for a bad queue name or a limit outside 1..{@value #MAX_LIMIT}
     * @throws io.queueservice.broker.ResourceNotFoundException when the queue does not exist
     * @throws io.queueservice.broker.OperationRefusedException when the queue cannot be read this way (a stream)
     * @throws io.queueservice.broker.BrokerUnavailableException when the broker cannot be reached
     */
    public Peek peek(String queue, int limit) {
        List<Violation> v = new ArrayList<>();
        AmqpNames.checkReference("name", queue, v);
        if (limit < 1 || limit > MAX_LIMIT) {
            v.add(new Violation("limit", "must be between 1 and " + MAX_LIMIT + " but was " + limit));
        }
        InvalidRequestException.throwIfAny(v);
        return connection.onOwnConnection(c -> {
            Channel ch = c.createChannel();
            AMQP.Queue.DeclareOk declared = ch.queueDeclarePassive(queue);
            List<PeekedMessage> seen = new ArrayList<>();
            long lastTag = -1;
            for (int i = 0; i < limit; i++) {
                GetResponse r = ch.basicGet(queue, false);
                if (r == null) {
                    break;
                }
                lastTag = r.getEnvelope().getDeliveryTag();
                seen.add(view(r));
            }
            if (lastTag >= 0) {
                // nack, not reject: RabbitMQ 4 counts a reject as a failed delivery of the message, a nack not.
                ch.basicNack(lastTag, true, true);
            }
            // The connection closes next, after the nack, which the broker handles first.
            return new Peek(queue, declared.getMessageCount(), seen);
        });
    }

    static PeekedMessage view(GetResponse r) {
        AMQP.BasicProperties p = r.getProps();
        return new PeekedMessage(
                r.getEnvelope().getExchange(),
                r.getEnvelope().getRoutingKey(),
                r.getEnvelope().isRedeliver(),
                p,
                HeaderValues.plain(p.getHeaders()),
                MessageBody.of(r.getBody(), p.getContentType(), p.getContentEncoding()),
                Failure.decode(p.getHeaders()));
    }
}
