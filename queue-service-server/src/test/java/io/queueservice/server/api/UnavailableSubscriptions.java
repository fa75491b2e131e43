package io.queueservice.server.api;

import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.server.push.SubscriptionOperations;
import io.queueservice.server.push.SubscriptionRequest;
import io.queueservice.server.push.SubscriptionView;
import java.time.Duration;
import java.util.List;

/** Push subscriptions of an API test without a broker: answered as the service does while it is away. */
final class UnavailableSubscriptions implements SubscriptionOperations {
    private static BrokerUnavailableException away() {
        return new BrokerUnavailableException("not connected to the broker", Duration.ofSeconds(1));
    }

    @Override
    public List<SubscriptionView> list() {
        throw away();
    }

    @Override
    public SubscriptionView get(String name) {
        throw away();
    }

    @Override
    public SubscriptionView create(SubscriptionRequest request) {
        throw away();
    }

    @Override
    public SubscriptionView update(String name, SubscriptionRequest request) {
        throw away();
    }

    @Override
    public void delete(String name) {
        throw away();
    }

    @Override
    public SubscriptionView pause(String name) {
        throw away();
    }

    @Override
    public SubscriptionView resume(String name) {
        throw away();
    }
}
