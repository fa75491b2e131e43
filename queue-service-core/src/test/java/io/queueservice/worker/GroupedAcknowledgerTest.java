package io.queueservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which frames grouped acknowledgements put on the wire, recorded in order. */
class GroupedAcknowledgerTest {
    private final List<String> wire = new ArrayList<>();

    private GroupedAcknowledger acknowledger(int maxHeld) {
        return new GroupedAcknowledger(
                new GroupedAcknowledger.Wire() {
                    @Override
                    public void ack(long tag, boolean multiple) {
                        wire.add((multiple ? "ack<=" : "ack ") + tag);
                    }

                    @Override
                    public void requeue(long tag) {
                        wire.add("requeue " + tag);
                    }
                },
                maxHeld);
    }

    private static void deliver(GroupedAcknowledger a, long from, long to) {
        for (long t = from; t <= to; t++) {
            a.delivered(t);
        }
    }

    @Test
    void aRunOfHandledMessagesLeavesAsOneMultipleAcknowledgementOnFlush() throws Exception {
        GroupedAcknowledger a = acknowledger(10);
        deliver(a, 1, 5);
        for (long t = 1; t <= 4; t++) {
            a.ack(t);
        }
        assertThat(wire).isEmpty();
        a.flush();
        assertThat(wire).containsExactly("ack<=4");
        a.ack(5);
        a.flush();
        assertThat(wire).containsExactly("ack<=4", "ack<=5");
        assertThat(a.held()).isZero();
    }

    @Test
    void theyLeaveByThemselvesOnceMaxHeldAreHeld() throws Exception {
        GroupedAcknowledger a = acknowledger(3);
        deliver(a, 1, 7);
        for (long t = 1; t <= 7; t++) {
            a.ack(t);
        }
        assertThat(wire).containsExactly("ack<=3", "ack<=6");
        assertThat(a.held()).isEqualTo(1);
    }

    @Test
    void aMultipleAcknowledgementNeverCoversAMessageStillInFlight() throws Exception {
        GroupedAcknowledger a = acknowledger(10);
        deliver(a, 1, 7);
        // 3 is in flight (a consumer cancelled on a pause, say) while its successor handles 4 to 7.
        a.ack(1);
        a.ack(2);
        a.ack(4);
        a.ack(5);
        a.flush();
        assertThat(wire).containsExactly("ack<=2", "ack 4", "ack 5");
        a.ack(6);
        a.ack(3);
        a.flush();
        // 1 to 6 settled: one multiple acknowledgement up to 6 (4 and 5 went already).
        assertThat(wire).containsExactly("ack<=2", "ack 4", "ack 5", "ack<=6");
    }

    @Test
    void heldBehindAMessageInFlightTheyGoOneByOneOnceMaxHeldAreHeld() throws Exception {
        GroupedAcknowledger a = acknowledger(2);
        deliver(a, 1, 4);
        a.ack(2);
        assertThat(wire).isEmpty();
        a.ack(3);
        assertThat(wire).containsExactly("ack 2", "ack 3");
    }

    @Test
    void aRequeuedMessageGoesAtOnceAndTheRunAroundItStillGroups() throws Exception {
        GroupedAcknowledger a = acknowledger(10);
        deliver(a, 1, 4);
        a.ack(1);
        a.requeue(2);
        a.ack(3);
        a.flush();
        assertThat(wire).containsExactly("requeue 2", "ack<=3");
    }

    @Test
    void anUnregisteredDeliveryIsAcknowledgedAtOnce() throws Exception {
        GroupedAcknowledger a = acknowledger(10);
        deliver(a, 5, 6);
        a.ack(9);
        assertThat(wire).containsExactly("ack 9");
    }

    @Test
    void manyDeliveriesOutstandingAtOnceKeepTheirOrder() throws Exception {
        GroupedAcknowledger a = acknowledger(1000);
        deliver(a, 1, 50);
        for (long t = 1; t <= 50; t++) {
            a.ack(t);
        }
        a.flush(); // the ring's head moved on: what follows wraps around it
        deliver(a, 51, 350); // beyond the ring's first capacity
        for (long t = 350; t >= 52; t--) {
            a.ack(t);
        }
        assertThat(wire).containsExactly("ack<=50");
        a.ack(51);
        a.flush();
        assertThat(wire).containsExactly("ack<=50", "ack<=350");
    }
}
