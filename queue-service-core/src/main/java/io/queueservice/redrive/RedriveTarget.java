package io.queueservice.redrive;

import io.queueservice.deadletters.Failure;
import io.queueservice.deadletters.Failure.Address;
import java.util.Map;
import java.util.Optional;

/** Where a redrive sends a message: the request's destination, else the address the message had before it failed. */
sealed interface RedriveTarget {
    /** Republish to this address. */
    record To(Address address) implements RedriveTarget {}

    /** Nowhere to send it: it stays in the queue, marked with why. */
    record Unmovable(String why) implements RedriveTarget {}

    static RedriveTarget of(RedriveRequest request, String queue, Map<String, Object> headers) {
        Optional<Address> target =
                request.destination().or(() -> Failure.decode(headers).flatMap(Failure::original));
        if (target.isEmpty()) {
            return new Unmovable("its headers record no original exchange and routing key: give a destination");
        }
        if (target.get().exchange().isEmpty() && target.get().routingKey().equals(queue)) {
            return new Unmovable("its original address is this queue itself: give a destination");
        }
        return new To(target.get());
    }
}
