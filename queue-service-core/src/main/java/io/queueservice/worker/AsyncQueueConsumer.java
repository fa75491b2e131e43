package io.queueservice.worker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of a worker with an {@link AsyncMessageHandler}: the deliveries its channel's dispatch thread hands
 * over wait in order, and it handles them one at a time, the next one on the thread that completed the previous
 * one's stage. No thread waits for a message in flight, and none is woken to settle it.
 */
final class AsyncQueueConsumer extends DefaultConsumer {
    // The worker's logger: one name for everything a worker logs, whichever class does the work.
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final Worker worker;
    private final MessageProcessor processor;
    private final AsyncMessageHandler handler;
    private final GroupedAcknowledger acknowledger;
    private final ArrayDeque<Delivery> waiting = new ArrayDeque<>(); // guarded by itself
    private boolean draining; // guarded by waiting

    AsyncQueueConsumer(
            Channel channel,
            Worker worker,
            MessageProcessor processor,
            AsyncMessageHandler handler,
            GroupedAcknowledger acknowledger) {
        super(channel);
        this.worker = worker;
        this.processor = processor;
        this.handler = handler;
        this.acknowledger = acknowledger;
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        acknowledger.delivered(envelope.getDeliveryTag());
        Delivery delivery = new Delivery(worker.queue(), acknowledger, envelope, props, body);
        synchronized (waiting) {
            waiting.add(delivery);
            if (draining) {
                return; // the message in flight takes this one on when it is settled
            }
            draining = true;
        }
        worker.handling();
        drain();
    }

    /**
     * Handles what waits, in order, until nothing does; returns early when a message's outcome is not known yet
     * (the completion of its stage carries on from here).
     */
    private void drain() {
        while (true) {
            Delivery next;
            synchronized (waiting) {
                next = waiting.poll();
            }
            if (next == null) {
                flush(); // nothing waits: the broker may send more
                synchronized (waiting) {
                    if (waiting.isEmpty()) {
                        draining = false;
                        break;
                    }
                }
                continue;
            }
            CompletableFuture<Void> settled;
            if (worker.taking()) {
                settled = processor.process(next, handler);
            } else {
                next.requeue(); // delivered ahead, not handled: back to the queue as it was
                continue;
            }
            if (!settled.isDone()) {
                settled.whenComplete((v, e) -> drain());
                return;
            }
        }
        worker.idle();
    }

    private void flush() {
        try {
            acknowledger.flush();
        } catch (IOException | RuntimeException e) {
            log.debug("could not acknowledge messages of '{}' ({}); the broker will redeliver them", worker.queue(), e);
        }
    }
}
