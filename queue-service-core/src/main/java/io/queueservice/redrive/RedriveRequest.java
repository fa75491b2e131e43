package io.queueservice.redrive;

import io.queueservice.broker.AmqpNames;
import io.queueservice.deadletters.Failure.Address;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What to redrive and how fast.
 *
 * @param limit at most this many messages; all those in the queue when the redrive starts when empty
 * @param destination where every message goes; when empty, each goes back to the exchange and routing key it was
 *     first published with, as its headers record
 * @param ratePerSecond at most this many messages moved per second
 */
public record RedriveRequest(OptionalLong limit, Optional<Address> destination, int ratePerSecond) {
    public static final int DEFAULT_RATE = 500;
    public static final int MAX_RATE = 10_000;

    /** Every message, back where it came from, at the default rate. */
    public static RedriveRequest all() {
        return new RedriveRequest(OptionalLong.empty(), Optional.empty(), DEFAULT_RATE);
    }

    /**
     * Checks the request; the fields are named {@code limit}, {@code ratePerSecond}, {@code destination.exchange}
     * and {@code destination.routingKey}.
     *
     * @throws InvalidRequestException listing every problem
     */
    public void validate() {
        List<Violation> v = new ArrayList<>();
        if (limit.isPresent() && limit.getAsLong() < 1) {
            v.add(new Violation("limit", "must be at least 1 but was " + limit.getAsLong()));
        }
        if (ratePerSecond < 1 || ratePerSecond > MAX_RATE) {
            v.add(new Violation("ratePerSecond", "must be between 1 and " + MAX_RATE + " but was " + ratePerSecond));
        }
        destination.ifPresent(d -> {
            AmqpNames.checkShortString("destination.exchange", d.exchange(), v);
            AmqpNames.checkShortString("destination.routingKey", d.routingKey(), v);
        });
        InvalidRequestException.throwIfAny(v);
    }
}
