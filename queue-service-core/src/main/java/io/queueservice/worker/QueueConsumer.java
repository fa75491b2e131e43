package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

/**
 * One consumer of a worker with a {@link MessageHandler}: its deliveries, called one at a time on its channel's
 * dispatch thread, each handled on that thread for as long as the handler runs.
 */
final class QueueConsumer extends DefaultConsumer {
    private final Worker worker;
    private final MessageProcessor processor;
    private final MessageHandler handler;
    private final Acknowledger acknowledger;

    QueueConsumer(Channel channel, Worker worker, MessageProcessor processor, MessageHandler handler) {
        super(channel);
        this.worker = worker;
        this.processor = processor;
        this.handler = handler;
        this.acknowledger = Acknowledger.oneByOne(channel);
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        worker.handling();
        try {
            Delivery delivery = new Delivery(worker.queue(), acknowledger, envelope, props, body);
            if (worker.taking()) {
                processor.process(delivery, handler);
            } else {
                delivery.requeue(); // delivered ahead, not handled: back to the queue as it was
            }
        } finally {
            worker.idle();
        }
    }
}
