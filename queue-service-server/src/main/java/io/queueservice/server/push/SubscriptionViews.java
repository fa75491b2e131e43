package io.queueservice.server.push;

import io.queueservice.definitions.Definition;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the API shows a stored subscription: its definition with the signing secret and the header values
 * masked, and what this instance's deliverers did with it (state, counts, last error).
 */
final class SubscriptionViews {
    static final String MASK = "****";

    private final SubscriptionStates states;

    SubscriptionViews(SubscriptionStates states) {
        this.states = states;
    }

    SubscriptionView view(Definition d) {
        return view(d, null);
    }

    /** @param clearSecret the secret to show in clear (the answer to its creation or change), or null */
    SubscriptionView view(Definition d, String clearSecret) {
        Subscription s = Subscription.from(d);
        SubscriptionStates.State st = states.of(s.name());
        Map<String, String> masked = new LinkedHashMap<>();
        s.sealedHeaders().keySet().forEach(h -> masked.put(h, MASK));
        String state = s.pause().isPresent() ? "paused" : st.circuitOpen() ? "circuit-open" : "active";
        return new SubscriptionView(
                s.name(),
                s.queue(),
                s.endpoint().toString(),
                clearSecret != null ? clearSecret : SignedRequest.SECRET_PREFIX + MASK,
                s.maxAttempts(),
                s.timeoutMs(),
                s.concurrency(),
                masked,
                state,
                s.pause().map(Subscription.Pause::reason).orElse(null),
                s.pause().map(p -> p.at().toString()).orElse(null),
                st.counts(),
                st.lastError(),
                s.createdAt().toString(),
                d.updatedAt().toString(),
                d.revision());
    }
}
