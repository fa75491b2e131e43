package io.queueservice.server.push;

import java.util.List;

/**
 * Push subscriptions as the API's routes use them; {@link Subscriptions} is the implementation. Every
 * method may wait for the broker. They throw {@link io.queueservice.validation.InvalidRequestException} (400),
 * {@link io.queueservice.broker.ResourceNotFoundException} (404: no such subscription, or no such queue),
 * {@link io.queueservice.broker.ResourceConflictException} (409), {@link PushNotConfiguredException}
 * (no SUBSCRIPTIONS_KEY), {@link io.queueservice.broker.BrokerUnavailableException} or {@link
 * io.queueservice.broker.BrokerTimeoutException}.
 */
public interface SubscriptionOperations {
    List<SubscriptionView> list();

    SubscriptionView get(String name);

    /** @return the subscription, its signing secret in clear: the only answer that shows it */
    SubscriptionView create(SubscriptionRequest request);

    /** Changes what the request sets; fields left out stay as they are. */
    SubscriptionView update(String name, SubscriptionRequest request);

    void delete(String name);

    SubscriptionView pause(String name);

    SubscriptionView resume(String name);
}
