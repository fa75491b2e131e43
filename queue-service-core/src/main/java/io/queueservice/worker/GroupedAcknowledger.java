package io.queueservice.worker;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Arrays;

/**
 * Acknowledges the deliveries of one channel a few at a time: one {@code basicAck(tag, multiple=true)} stands for
 * a run of messages, which spares a frame and a system call per message here and, more, the broker's work on
 * each. A multiple acknowledgement covers every delivery of the channel up to its tag, so it is sent only up to
 * the first delivery still in flight: it never settles a message whose outcome is not known yet (a consumer
 * cancelled on a pause may still have one in flight on the channel its successor uses).
 *
 * <p>Every delivery of the channel is registered in tag order ({@link #delivered}) before it is handled. Held
 * acknowledgements leave once {@code maxHeld} are held, or on {@link #flush()}, which the consumer calls when it
 * has nothing more waiting (so the broker's prefetch window never stays filled with messages already handled):
 * one multiple acknowledgement for the settled run at the head, the others (behind a message in flight) one by
 * one. Thread-safe.
 */
final class GroupedAcknowledger implements Acknowledger {
    /** What goes on the wire: the channel, outside tests. */
    interface Wire {
        void ack(long tag, boolean multiple) throws IOException;

        void requeue(long tag) throws IOException;
    }

    private static final byte IN_FLIGHT = 0;
    private static final byte ACK_HELD = 1;
    private static final byte SETTLED = 2;

    private final Wire wire;
    private final int maxHeld;
    // The deliveries not yet known settled by the broker, in tag order: a ring of (tag, state).
    private long[] tags = new long[64];
    private byte[] states = new byte[64];
    private int head;
    private int size;
    private int held;

    GroupedAcknowledger(Channel channel, int maxHeld) {
        this(
                new Wire() {
                    @Override
                    public void ack(long tag, boolean multiple) throws IOException {
                        channel.basicAck(tag, multiple);
                    }

                    @Override
                    public void requeue(long tag) throws IOException {
                        channel.basicNack(tag, false, true);
                    }
                },
                maxHeld);
    }

    GroupedAcknowledger(Wire wire, int maxHeld) {
        if (maxHeld < 1) {
            throw new IllegalArgumentException("maxHeld must be at least 1 but was " + maxHeld);
        }
        this.wire = wire;
        this.maxHeld = maxHeld;
    }

    /** A new delivery of the channel, before it is handled; tags come in increasing order. */
    synchronized void delivered(long tag) {
        if (size == tags.length) {
            grow();
        }
        int i = (head + size) % tags.length;
        tags[i] = tag;
        states[i] = IN_FLIGHT;
        size++;
    }

    @Override
    public synchronized void ack(long tag) throws IOException {
        int i = find(tag);
        if (i < 0 || states[i] != IN_FLIGHT) {
            wire.ack(tag, false); // not registered: nothing to group it with
            return;
        }
        states[i] = ACK_HELD;
        held++;
        if (held >= maxHeld) {
            flush();
        }
    }

    @Override
    public synchronized void requeue(long tag) throws IOException {
        wire.requeue(tag);
        int i = find(tag);
        if (i >= 0) {
            if (states[i] == ACK_HELD) {
                held--;
            }
            states[i] = SETTLED;
        }
    }

    /** Sends every acknowledgement held, in as few frames as it may. */
    synchronized void flush() throws IOException {
        long upTo = -1;
        while (size > 0 && states[head] != IN_FLIGHT) {
            if (states[head] == ACK_HELD) {
                upTo = tags[head];
                held--;
            }
            head = (head + 1) % tags.length;
            size--;
        }
        if (upTo >= 0) {
            wire.ack(upTo, true);
        }
        for (int n = 0; n < size && held > 0; n++) {
            int i = (head + n) % tags.length;
            if (states[i] == ACK_HELD) {
                wire.ack(tags[i], false);
                states[i] = SETTLED;
                held--;
            }
        }
    }

    /** How many acknowledgements are held (for tests). */
    synchronized int held() {
        return held;
    }

    /** The ring index of {@code tag}, or -1: a binary search, the ring being in tag order. */
    private int find(long tag) {
        int lo = 0;
        int hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long t = tags[(head + mid) % tags.length];
            if (t < tag) {
                lo = mid + 1;
            } else if (t > tag) {
                hi = mid - 1;
            } else {
                return (head + mid) % tags.length;
            }
        }
        return -1;
    }

    private void grow() {
        long[] t = new long[tags.length * 2];
        byte[] s = new byte[tags.length * 2];
        for (int n = 0; n < size; n++) {
            t[n] = tags[(head + n) % tags.length];
            s[n] = states[(head + n) % tags.length];
        }
        tags = t;
        states = s;
        head = 0;
        Arrays.fill(s, size, s.length, IN_FLIGHT);
    }
}
