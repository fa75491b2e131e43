package io.queueservice.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.ResourceNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One channel in confirm mode and the messages published on it that the broker has not confirmed yet.
 *
 * <p>Each publish takes the channel's next sequence number and waits in {@link #pending} under it. The
 * broker confirms by sequence number, often many at once ({@code multiple=true}: everything up to that
 * number), so confirms cost little however many messages are in flight. A mandatory message that no queue
 * receives comes back as a return, always before its confirm; the return names the message by the
 * sequence number carried in the {@value #SEQUENCE_HEADER} header, so the confirm that follows can report
 * it as unroutable.
 */
final class PublisherChannel {
    /** Header added to mandatory messages so a returned message can be matched to its publish. */
    static final String SEQUENCE_HEADER = "qs-publish-seq";

    private static final Duration RETRY_AFTER_CHANNEL_LOSS = Duration.ofSeconds(1);

    /** A message waiting for its confirm. */
    private static final class Pending {
        final CompletableFuture<Void> result = new CompletableFuture<>();
        final String exchange;
        final String routingKey;
        volatile boolean returned;

        Pending(String exchange, String routingKey) {
            this.exchange = exchange;
            this.routingKey = routingKey;
        }
    }

    private final Channel channel;
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final Runnable onSettled;
    private final Consumer<String> onExchangeMissing;

    /**
     * @param onSettled called once for every message that leaves {@link #pending}
     * @param onExchangeMissing called with an exchange's name when the broker closed the channel because
     *     that exchange does not exist
     */
    PublisherChannel(Channel channel, Runnable onSettled, Consumer<String> onExchangeMissing) throws IOException {
        this.channel = channel;
        this.onSettled = onSettled;
        this.onExchangeMissing = onExchangeMissing;
        channel.confirmSelect();
        channel.addConfirmListener((tag, multiple) -> settle(tag, multiple, null), (tag, multiple) -> settle(tag, multiple, new MessageNackedException()));
        channel.addReturnListener(this::onReturn);
        channel.addShutdownListener(this::onShutdown);
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    int inFlight() {
        return pending.size();
    }

    /**
     * Publishes and returns a future completed by the broker's confirm. Serialised because the sequence
     * number must be taken and used by the same publish, in order.
     */
    synchronized CompletableFuture<Void> publish(OutgoingMessage m) {
        long seq = channel.getNextPublishSeqNo();
        Pending p = new Pending(m.exchange(), m.routingKey());
        pending.put(seq, p);
        try {
            channel.basicPublish(m.exchange(), m.routingKey(), m.mandatory(), properties(m, seq), m.body());
        } catch (IOException | RuntimeException e) {
            // The channel is closed or closing; whatever closed it concerned another message.
            if (pending.remove(seq) != null) {
                onSettled.run();
                p.result.completeExceptionally(new BrokerUnavailableException("the publishing channel is closed; the message was not sent",
                        RETRY_AFTER_CHANNEL_LOSS, e));
            }
        }
        return p.result;
    }

    private static AMQP.BasicProperties properties(OutgoingMessage m, long seq) {
        if (!m.mandatory()) {
            return m.properties();
        }
        Map<String, Object> headers = new HashMap<>();
        if (m.properties().getHeaders() != null) {
            headers.putAll(m.properties().getHeaders());
        }
        headers.put(SEQUENCE_HEADER, seq);
        return m.properties().builder().headers(headers).build();
    }

    private void onReturn(Return r) {
        Map<String, Object> headers = r.getProperties().getHeaders();
        if (headers != null && headers.get(SEQUENCE_HEADER) instanceof Number seq) {
            Pending p = pending.get(seq.longValue());
            if (p != null) {
                p.returned = true;
            }
        }
    }

    private void settle(long tag, boolean multiple, BrokerException nack) {
        if (!multiple) {
            Pending p = pending.remove(tag);
            if (p != null) {
                complete(p, nack);
            }
            return;
        }
        for (Map.Entry<Long, Pending> e = pending.firstEntry(); e != null && e.getKey() <= tag; e = pending.firstEntry()) {
            Pending p = pending.remove(e.getKey());
            if (p != null) {
                complete(p, nack);
            }
        }
    }

    private void complete(Pending p, BrokerException nack) {
        onSettled.run();
        if (nack != null) {
            p.result.completeExceptionally(nack);
        } else if (p.returned) {
            p.result.completeExceptionally(new UnroutableMessageException(p.exchange, p.routingKey));
        } else {
            p.result.complete(null);
        }
    }

    /**
     * The channel is gone, closed by the broker (publish to an exchange deleted meanwhile) or with its
     * connection. No confirm will come for what is pending: fail it all. The messages may or may not have
     * been stored, so the caller is told to retry, which may create a duplicate but never loses one.
     */
    private void onShutdown(ShutdownSignalException cause) {
        BrokerException why = BrokerErrors.translate(cause);
        String missingExchange = why instanceof ResourceNotFoundException nf && nf.kind().equals("exchange") ? nf.name() : null;
        if (missingExchange != null) {
            onExchangeMissing.accept(missingExchange);
        }
        BrokerException lost = new BrokerUnavailableException(
                "the publishing channel closed before the broker confirmed the message; it may or may not be stored",
                RETRY_AFTER_CHANNEL_LOSS,
                cause);
        for (Map.Entry<Long, Pending> e = pending.pollFirstEntry(); e != null; e = pending.pollFirstEntry()) {
            Pending p = e.getValue();
            onSettled.run();
            p.result.completeExceptionally(p.exchange.equals(missingExchange) ? why : lost);
        }
    }

    /**
     * Tells every caller now waiting that its outcome will not be known in time. The messages stay
     * tracked: their confirms may still come, and only then do they leave {@link #pending}.
     */
    void abandonWaiting(BrokerException why) {
        pending.values().forEach(p -> p.result.completeExceptionally(why));
    }

    void close() {
        try {
            if (channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException ignored) {
            // already closing with its connection
        }
    }
}
