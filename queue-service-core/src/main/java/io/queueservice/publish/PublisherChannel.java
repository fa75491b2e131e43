package io.queueservice.publish;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import io.queueservice.broker.BrokerErrors;
import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.KnownExchanges;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One channel in confirm mode and the messages published on it that the broker has not confirmed yet.
 *
 * <p>Each publish takes the channel's next sequence number and waits in {@link #pending} under it. The
 * broker confirms by sequence number, often many at once ({@code multiple=true}: everything up to that
 * number), so confirms cost little however many messages are in flight. A mandatory message that no queue
 * receives comes back as a return, always before its confirm, and the confirm that follows reports it as
 * unroutable. The return is matched to its publish by message id, which the gateway always sets and which
 * is almost always unique; when a caller publishes the same id twice at once, the second copy carries its
 * sequence number in the {@value #SEQUENCE_HEADER} header instead. (A header on every message would cost
 * the broker and every consumer something, for a case that is rare.)
 *
 * <p>Callers never wait for each other: a message is queued, and whichever caller finds the channel idle
 * sends everything queued (taking a sequence number and sending must happen in the same order, so only
 * one thread sends at a time). Under load one thread sends many messages in a row while the others go
 * back to serving requests.
 */
final class PublisherChannel {
    /** Header added to mandatory messages so a returned message can be matched to its publish. */
    static final String SEQUENCE_HEADER = "qs-publish-seq";

    private static final Duration RETRY_AFTER_CHANNEL_LOSS = Duration.ofSeconds(1);

    /**
     * How long a channel serves at least before a negative confirm retires it: bounds the channels opened per
     * second when a queue refuses every message on purpose ({@code x-overflow=reject-publish} and full).
     */
    static final Duration MIN_LIFE_BEFORE_RETIRING = Duration.ofSeconds(1);

    /**
     * A message on its way: queued, then waiting for its confirm. Once sent, only where it went is kept, not
     * its body: thousands may wait for their confirm at once.
     */
    private static final class Pending {
        final CompletableFuture<Void> result = new CompletableFuture<>();
        final String exchange;
        final String routingKey;
        final long deadlineNanos;
        /** The message, until it is sent. */
        OutgoingMessage message;

        volatile boolean returned;
        /** The message id under which a return is matched, when it is in {@link #mandatoryByMessageId}. */
        String returnKey;

        Pending(OutgoingMessage message, long deadlineNanos) {
            this.message = message;
            this.exchange = message.exchange();
            this.routingKey = message.routingKey();
            this.deadlineNanos = deadlineNanos;
        }
    }

    /** What a channel is for. */
    enum Use {
        /** Messages of many callers, to exchanges proven publishable. */
        SHARED,
        /** One message, the first to an exchange not yet proven publishable (see {@link FirstPublishGate}). */
        ALONE
    }

    /** Runs a burst of sends so that their writes leave together. */
    interface WriteCoalescer {
        void coalesce(Runnable burst);
    }

    private final Channel channel;
    private final WriteCoalescer writes;
    private final Duration timeout;
    private final Queue<Pending> outbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final ConcurrentNavigableMap<Long, Pending> pending = new ConcurrentSkipListMap<>();
    private final Map<String, Long> mandatoryByMessageId = new ConcurrentHashMap<>();
    private final Runnable onSettled;
    private final KnownExchanges knownExchanges;
    private final Use use;
    private final long openedAtNanos = System.nanoTime();
    private final Duration minLife;
    /** Set by a negative confirm: the channel takes no new message (see {@link #isUsable()}). */
    private volatile boolean retired;

    /**
     * @param timeout how long a caller waits for the confirm before it is told the outcome is unknown
     * @param onSettled called once for every message that leaves {@link #pending}
     * @param knownExchanges forgets the exchanges of the messages in flight when the broker closes the channel
     * @param use {@link Use#ALONE} for a channel carrying a single message to an exchange not yet proven publishable:
     *     when the broker closes it, the reason (no such exchange, access refused) is that message's own
     * @param minLife how long the channel serves before a negative confirm may retire it (see {@link
     *     #isUsable()}); {@link #MIN_LIFE_BEFORE_RETIRING} in the service
     */
    PublisherChannel(
            Channel channel,
            WriteCoalescer writes,
            Duration timeout,
            Runnable onSettled,
            KnownExchanges knownExchanges,
            Use use,
            Duration minLife)
            throws IOException {
        this.channel = channel;
        this.writes = writes;
        this.timeout = timeout;
        this.onSettled = onSettled;
        this.knownExchanges = knownExchanges;
        this.use = use;
        this.minLife = minLife;
        channel.confirmSelect();
        channel.addConfirmListener(
                (tag, multiple) -> settle(tag, multiple, null),
                (tag, multiple) -> settle(tag, multiple, new MessageNackedException()));
        channel.addReturnListener(this::onReturn);
        channel.addShutdownListener(this::onShutdown);
    }

    /**
     * Whether new messages may go on this channel: it is open and no negative confirm retired it. A nack means
     * the queue's process could not take the message, and the channel's own view of that queue may be what is
     * broken: RabbitMQ 3.10 keeps nacking every message a channel sends to a quorum queue when its first one
     * was sent while the queue's record still named the leader's dead node (the channel asks only that node, for
     * as long as it is down). A new channel starts from the record as it is now, so a nacked channel is replaced
     * once it has served {@link #MIN_LIFE_BEFORE_RETIRING}, and closed once its messages are settled or overdue.
     */
    boolean isUsable() {
        return channel.isOpen() && !retired;
    }

    /** Queues the message for sending and returns a future completed by the broker's confirm. */
    CompletableFuture<Void> publish(OutgoingMessage m) {
        Pending p = new Pending(m, System.nanoTime() + timeout.toNanos());
        outbox.add(p);
        sendQueued();
        return p.result;
    }

    /**
     * Queues the messages for sending, in this order and one after the other (they leave in one burst), and
     * returns a future per message, completed by the broker's confirm.
     */
    List<CompletableFuture<Void>> publishAll(List<OutgoingMessage> messages) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<CompletableFuture<Void>> results = new ArrayList<>(messages.size());
        for (OutgoingMessage m : messages) {
            Pending p = new Pending(m, deadline);
            outbox.add(p);
            results.add(p.result);
        }
        sendQueued();
        return results;
    }

    private void sendQueued() {
        // Re-check after letting go: a message queued while we were finishing must not be left behind.
        while (!outbox.isEmpty() && sending.compareAndSet(false, true)) {
            try {
                writes.coalesce(() -> {
                    for (Pending next = outbox.poll(); next != null; next = outbox.poll()) {
                        send(next);
                    }
                });
            } finally {
                sending.set(false);
            }
        }
    }

    private void send(Pending p) {
        long seq = channel.getNextPublishSeqNo();
        OutgoingMessage m = p.message;
        p.message = null;
        AMQP.BasicProperties props = m.properties();
        if (m.mandatory()) {
            String id = props.getMessageId();
            if (id != null && mandatoryByMessageId.putIfAbsent(id, seq) == null) {
                p.returnKey = id;
            } else {
                props = withSequenceHeader(props, seq);
            }
        }
        pending.put(seq, p); // publishes returnKey to the thread that will settle the message
        try {
            channel.basicPublish(m.exchange(), m.routingKey(), m.mandatory(), props, m.body());
        } catch (IOException | RuntimeException e) {
            // The channel is closed or closing; whatever closed it concerned another message.
            if (pending.remove(seq) != null) {
                settled(p);
                p.result.completeExceptionally(new BrokerUnavailableException(
                        "the publishing channel is closed; the message was not sent", RETRY_AFTER_CHANNEL_LOSS, e));
            }
        }
    }

    private static AMQP.BasicProperties withSequenceHeader(AMQP.BasicProperties props, long seq) {
        Map<String, Object> headers = new HashMap<>();
        if (props.getHeaders() != null) {
            headers.putAll(props.getHeaders());
        }
        headers.put(SEQUENCE_HEADER, seq);
        return props.builder().headers(headers).build();
    }

    private void onReturn(Return r) {
        Map<String, Object> headers = r.getProperties().getHeaders();
        Long seq = headers != null && headers.get(SEQUENCE_HEADER) instanceof Number n
                ? Long.valueOf(n.longValue())
                : mandatoryByMessageId.get(
                        r.getProperties().getMessageId() == null
                                ? ""
                                : r.getProperties().getMessageId());
        Pending p = seq == null ? null : pending.get(seq);
        if (p != null) {
            p.returned = true;
        }
    }

    /** A message left {@link #pending}: forget its return key and give its in-flight permit back. */
    private void settled(Pending p) {
        if (p.returnKey != null) {
            mandatoryByMessageId.remove(p.returnKey);
        }
        onSettled.run();
    }

    private void settle(long tag, boolean multiple, BrokerException nack) {
        if (!multiple) {
            Pending p = pending.remove(tag);
            if (p != null) {
                complete(p, nack);
            }
            return;
        }
        for (Map.Entry<Long, Pending> e = pending.firstEntry();
                e != null && e.getKey() <= tag;
                e = pending.firstEntry()) {
            Pending p = pending.remove(e.getKey());
            if (p != null) {
                complete(p, nack);
            }
        }
    }

    private void complete(Pending p, BrokerException nack) {
        settled(p);
        if (nack != null) {
            if (System.nanoTime() - openedAtNanos >= minLife.toNanos()) {
                retired = true;
            }
            p.result.completeExceptionally(nack);
        } else if (p.returned) {
            p.result.completeExceptionally(new UnroutableMessageException(p.exchange, p.routingKey));
        } else {
            p.result.complete(null);
        }
    }

    /**
     * Tells the callers whose confirm is overdue that the outcome is unknown. Sequence numbers grow with
     * time, so only the oldest messages need looking at. The messages stay tracked: a late confirm still
     * settles them.
     */
    void expireOverdue(long nowNanos) {
        expire(pending.values(), nowNanos);
        expire(outbox, nowNanos); // not even sent yet: the socket is stuck (the broker stopped reading)
    }

    private void expire(Iterable<Pending> oldestFirst, long nowNanos) {
        for (Pending p : oldestFirst) {
            if (p.deadlineNanos - nowNanos > 0) {
                return;
            }
            if (!p.result.isDone()) {
                p.result.completeExceptionally(
                        new BrokerTimeoutException("the broker did not confirm the message within " + timeout.toMillis()
                                + " ms; it may or may not be stored"));
            }
        }
    }

    /**
     * Tells every caller now waiting that its outcome will not be known in time. The messages stay
     * tracked: their confirms may still come, and only then do they leave {@link #pending}.
     */
    void abandonWaiting(BrokerException why) {
        pending.values().forEach(p -> p.result.completeExceptionally(why));
    }

    /**
     * The channel is gone: closed by the broker because of a message (its exchange is missing, internal,
     * or not writable for this user) or with its connection. No confirm will come for what is pending:
     * fail it all. On a shared channel nobody can tell which message was the cause, and the others may or
     * may not have been stored, so each caller is told to retry, which may create a duplicate but never
     * loses one; the retry of the culprit is then sent alone and gets its precise answer.
     */
    private void onShutdown(ShutdownSignalException cause) {
        BrokerException why = BrokerErrors.translate(cause);
        BrokerException lost = use == Use.ALONE
                ? why
                : new BrokerUnavailableException(
                        "the publishing channel closed before the broker confirmed the message; it may or may not be stored",
                        RETRY_AFTER_CHANNEL_LOSS,
                        cause);
        for (Map.Entry<Long, Pending> e = pending.pollFirstEntry(); e != null; e = pending.pollFirstEntry()) {
            Pending p = e.getValue();
            if (!cause.isHardError()) {
                knownExchanges.forget(p.exchange);
            }
            settled(p);
            p.result.completeExceptionally(lost);
        }
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
