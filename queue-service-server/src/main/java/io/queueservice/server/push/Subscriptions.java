package io.queueservice.server.push;

import io.queueservice.broker.BrokerException;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.Topology;
import io.queueservice.definitions.Definition;
import io.queueservice.definitions.DefinitionsLog;
import io.queueservice.definitions.Precondition;
import io.queueservice.validation.InvalidRequestException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Push subscriptions: what the HTTP API's routes call. Definitions live in the {@link DefinitionsLog}; each
 * change is applied here before the method returns (a read that follows sees it) and by every instance
 * within moments, whose deliverers follow it. A request's fields are checked by {@link SubscriptionValidator}
 * and answers are shown by {@link SubscriptionViews}; this class adds what depends on the stored subscriptions
 * and the broker (the bound on their number, the queue's existence, one subscription per queue).
 *
 * <p>Methods block (DNS resolution, the broker): call them off an event loop. Failures, each for one HTTP
 * status: {@link InvalidRequestException} (400, with the fields), {@link ResourceNotFoundException} (404: no
 * such subscription, or the queue does not exist), {@link ResourceConflictException} (409: the name is taken,
 * the queue has a subscription already, too many subscriptions, a concurrent change), {@link
 * PushNotConfiguredException} (501: no {@code SUBSCRIPTIONS_KEY}), {@link
 * io.queueservice.broker.BrokerUnavailableException} (503), {@link BrokerTimeoutException} (504).
 */
public final class Subscriptions implements SubscriptionOperations {
    private static final int WRITE_ATTEMPTS = 3;

    /**
     * @param defaultMaxAttempts {@code MAX_RETRIES + 1}
     * @param maxSubscriptions how many subscriptions may exist at once
     */
    record Settings(int defaultMaxAttempts, int maxSubscriptions) {}

    private final DefinitionsLog log;
    private final Topology topology;
    private final SecretBox secrets;
    private final SubscriptionStates states;
    private final Settings settings;
    private final SubscriptionValidator validator;
    private final SubscriptionViews views;

    Subscriptions(
            DefinitionsLog log,
            Topology topology,
            SecretBox secrets,
            AddressGuard guard,
            SubscriptionStates states,
            Settings settings) {
        this.log = log;
        this.topology = topology;
        this.secrets = secrets;
        this.states = states;
        this.settings = settings;
        this.validator = new SubscriptionValidator(guard, settings.defaultMaxAttempts());
        this.views = new SubscriptionViews(states);
    }

    // --- reads

    /** Every subscription, by name. */
    @Override
    public List<SubscriptionView> list() {
        return log.definitions(Subscription.KIND).values().stream()
                .map(views::view)
                .toList();
    }

    /** @throws ResourceNotFoundException when there is none of that name */
    @Override
    public SubscriptionView get(String name) {
        return views.view(definition(name));
    }

    // --- writes

    /**
     * Creates a subscription.
     *
     * @return it, with its signing secret in clear (the only answer that shows it)
     */
    @Override
    public SubscriptionView create(SubscriptionRequest request) {
        requireKey();
        SubscriptionValidator.NewSubscription checked = validator.create(request);
        String name = request.name();
        if (log.definitions(Subscription.KIND).size() >= settings.maxSubscriptions()) {
            throw new ResourceConflictException(
                    "there are " + settings.maxSubscriptions() + " subscriptions already (PUSH_MAX_SUBSCRIPTIONS)",
                    null);
        }
        topology.queueInfo(request.queue()); // 404 when it does not exist
        checkQueueFree(request.queue(), name);
        Subscription s = new Subscription(
                name,
                request.queue(),
                URI.create(request.endpoint()),
                secrets.seal(checked.secret(), Subscription.secretContext(name)),
                checked.maxAttempts(),
                checked.timeoutMs(),
                checked.concurrency(),
                seal(name, checked.headers()),
                Optional.empty(),
                Instant.now());
        Definition d = join(log.put(Subscription.KIND, name, s.toJson(), Precondition.absent()));
        return views.view(d, checked.secret());
    }

    /**
     * Changes the settings given (null fields stay as they are); a new {@code secret} replaces the old one,
     * {@code headers} replace all the static headers. The queue cannot change.
     *
     * @return the subscription, with its secret in clear when a new one was given
     */
    @Override
    public SubscriptionView update(String name, SubscriptionRequest request) {
        requireKey();
        validator.update(name, request);
        Definition d = change(name, current -> {
            if (request.queue() != null && !request.queue().equals(current.queue())) {
                throw new InvalidRequestException(
                        "queue", "cannot be changed (it is '" + current.queue() + "'); create another subscription");
            }
            return new Subscription(
                    name,
                    current.queue(),
                    request.endpoint() == null ? current.endpoint() : URI.create(request.endpoint()),
                    request.secret() == null
                            ? current.sealedSecret()
                            : secrets.seal(request.secret(), Subscription.secretContext(name)),
                    request.maxAttempts() == null ? current.maxAttempts() : request.maxAttempts(),
                    request.timeoutMs() == null ? current.timeoutMs() : request.timeoutMs(),
                    request.concurrency() == null ? current.concurrency() : request.concurrency(),
                    request.headers() == null ? current.sealedHeaders() : seal(name, request.headers()),
                    current.pause(),
                    current.createdAt());
        });
        return views.view(d, request.secret());
    }

    /** Deletes a subscription: every instance stops delivering it (the queue and its messages stay). */
    @Override
    public void delete(String name) {
        join(log.delete(Subscription.KIND, name, Precondition.any()));
        states.forget(name);
    }

    /** Stops deliveries on every instance until {@link #resume}; messages wait in the queue. */
    @Override
    public SubscriptionView pause(String name) {
        return views.view(change(
                name,
                s -> s.pause().isPresent()
                        ? s
                        : s.paused(new Subscription.Pause("paused through the API", Instant.now(), false))));
    }

    /** Delivers again (also after the endpoint answered 410 Gone). */
    @Override
    public SubscriptionView resume(String name) {
        return views.view(change(name, Subscription::resumed));
    }

    /** The endpoint answered 410 Gone: pause, saying so, unless paused already. */
    void pauseBecauseGone(String name, String reason) {
        try {
            change(
                    name,
                    s -> s.pause().isPresent() ? s : s.paused(new Subscription.Pause(reason, Instant.now(), true)));
        } catch (BrokerException e) {
            // Deleted meanwhile, or the broker is away: the next 410 tries again.
        }
    }

    // --- helpers

    /** Read, change, write conditionally on what was read; again when another change came in between. */
    private Definition change(String name, java.util.function.UnaryOperator<Subscription> edit) {
        for (int attempt = 1; ; attempt++) {
            Definition current = definition(name);
            Subscription before = Subscription.from(current);
            Subscription after = edit.apply(before);
            if (after.equals(before)) {
                return current;
            }
            try {
                return join(
                        log.put(Subscription.KIND, name, after.toJson(), Precondition.revision(current.revision())));
            } catch (ResourceConflictException e) {
                if (attempt == WRITE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private Definition definition(String name) {
        return log.get(Subscription.KIND, name).orElseThrow(() -> new ResourceNotFoundException("subscription", name));
    }

    private void requireKey() {
        if (!secrets.canSeal()) {
            throw new PushNotConfiguredException(
                    "push subscriptions need SUBSCRIPTIONS_KEY (the base64 of 32 random bytes: openssl rand -base64"
                            + " 32) to encrypt their signing secrets; set it and restart the service");
        }
    }

    private void checkQueueFree(String queue, String name) {
        for (Definition d : log.definitions(Subscription.KIND).values()) {
            if (!d.name().equals(name) && queue.equals(d.value().path("queue").asText())) {
                throw new ResourceConflictException(
                        "queue '" + queue + "' has a subscription already ('" + d.name()
                                + "'): each message would go to one of them only",
                        null);
            }
        }
    }

    private Map<String, String> seal(String name, Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((k, val) -> out.put(k, secrets.seal(val, Subscription.headerContext(name, k))));
        return out;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
