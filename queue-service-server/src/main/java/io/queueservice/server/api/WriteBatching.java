package io.queueservice.server.api;

import io.queueservice.publish.Publisher;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.concurrent.TimeUnit;

/**
 * Groups the publisher's writes to the broker: one write for many messages instead of one each, which
 * saves a system call per message in this process, and a read per message in the broker.
 *
 * <p>Like Nagle's algorithm, but bounded in time: when no message waits for its confirm, a message leaves
 * at the end of the event loop's turn; while some do, new messages are held until the next confirm comes
 * back (the event loop is writing answers then anyway), at most {@value #MAX_HOLD_MICROS} µs. Used on the
 * API's one event loop only, so nothing here needs a lock.
 */
final class WriteBatching {
    static final long MAX_HOLD_MICROS = 500;

    private final Publisher publisher;
    private Publisher.WriteHold hold;
    private long holdNumber;
    private int unconfirmed;

    WriteBatching(Publisher publisher) {
        this.publisher = publisher;
    }

    /** Before each publish, on the event loop. */
    void beforePublish(Context eventLoop) {
        if (hold == null) {
            hold = publisher.holdWrites();
            long number = ++holdNumber;
            if (unconfirmed == 0) {
                eventLoop.runOnContext(v -> release(number)); // at the end of this turn
            } else {
                ((ContextInternal) eventLoop)
                        .nettyEventLoop()
                        .schedule(() -> release(number), MAX_HOLD_MICROS, TimeUnit.MICROSECONDS);
            }
        }
        unconfirmed++;
    }

    /** After each published message is settled (confirmed or failed), on the event loop. */
    void afterSettled() {
        unconfirmed--;
        release(holdNumber);
    }

    private void release(long number) {
        if (hold != null && number == holdNumber) {
            Publisher.WriteHold h = hold;
            hold = null;
            h.close();
        }
    }
}
