package io.queueservice.server.push;

import io.queueservice.definitions.DefinitionChange;
import io.queueservice.definitions.DefinitionsLog;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on this instance a {@link Deliverer} for every subscription that is not paused, following the
 * definitions log: started when one is created or resumed, restarted when its delivery settings change,
 * stopped when it is paused or deleted. Every instance does the same, so the instances share each
 * subscription's messages as competing consumers. One that cannot start (its queue is gone, the broker is
 * away, its secret does not open with this key) is tried again every few seconds, and says why in its state.
 */
final class PushRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushRunner.class);
    private static final long RETRY_SECONDS = 5;

    /** Turns a stored subscription into what its handler needs (opens its secret). */
    @FunctionalInterface
    interface Targets {
        PushHandler.Target target(Subscription s);
    }

    private final DefinitionsLog definitions;
    private final Deliverer.Shared shared;
    private final Targets targets;
    private final SubscriptionStates states;
    private final PushHandler.GoneListener gone;
    /** Starts and stops deliverers, one at a time. */
    private final io.queueservice.definitions.DefinitionListener listener = this::changed;

    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "push-runner");
        t.setDaemon(true);
        return t;
    });

    // The control thread only.
    private final Map<String, Subscription> wanted = new LinkedHashMap<>();
    private final Map<String, Subscription> runningAs = new HashMap<>();
    private final Map<String, Deliverer> running = new HashMap<>();
    private boolean closed;

    PushRunner(
            DefinitionsLog definitions,
            Deliverer.Shared shared,
            Targets targets,
            SubscriptionStates states,
            PushHandler.GoneListener gone) {
        this.definitions = definitions;
        this.shared = shared;
        this.targets = targets;
        this.states = states;
        this.gone = gone;
    }

    void start() {
        definitions.addListener(Subscription.KIND, listener);
        control.scheduleWithFixedDelay(this::reconcile, RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
    }

    private void changed(DefinitionChange change) {
        Optional<Subscription> now;
        try {
            now = change.after().map(Subscription::from);
        } catch (IllegalArgumentException e) {
            log.error("{}", e.getMessage());
            now = Optional.empty();
        }
        Optional<Subscription> next = now;
        onControl(() -> {
            if (next.isPresent() && next.get().pause().isEmpty()) {
                wanted.put(change.name(), next.get());
            } else {
                wanted.remove(change.name());
                if (next.isEmpty()) {
                    shared.metrics().forget(change.name());
                }
            }
            reconcile();
        });
    }

    private void onControl(Runnable task) {
        try {
            control.execute(task);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** Makes what runs match what is wanted. */
    private void reconcile() {
        if (closed) {
            return;
        }
        for (String name : running.keySet().stream().toList()) {
            Subscription w = wanted.get(name);
            if (w == null || w.deliversDifferentlyFrom(runningAs.get(name))) {
                stop(name);
            }
        }
        wanted.forEach((name, s) -> {
            if (!running.containsKey(name)) {
                start(s);
            }
        });
    }

    private void start(Subscription s) {
        SubscriptionStates.State state = states.of(s.name());
        try {
            PushHandler.Target target = targets.target(s);
            running.put(s.name(), Deliverer.start(shared, target, state, gone));
            runningAs.put(s.name(), s);
            // Without the query: it may carry a token.
            log.info(
                    "push subscription '{}': delivering '{}' to {}://{}{}",
                    s.name(),
                    s.queue(),
                    s.endpoint().getScheme(),
                    s.endpoint().getRawAuthority(),
                    s.endpoint().getRawPath());
        } catch (RuntimeException e) {
            state.failed(null, "cannot start delivering: " + e.getMessage());
            log.warn("push subscription '{}' cannot start delivering (trying again): {}", s.name(), e.getMessage());
        }
    }

    private void stop(String name) {
        Deliverer d = running.remove(name);
        runningAs.remove(name);
        if (d != null) {
            d.close();
            shared.metrics().forgetCircuit(name);
            log.info("push subscription '{}': stopped delivering here", name);
        }
    }

    /** The deliverer of a subscription running here, if any (for tests and health). */
    Optional<Deliverer> deliverer(String name) {
        try {
            return control.submit(() -> Optional.ofNullable(running.get(name))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** Stops every deliverer, letting deliveries in flight finish. */
    @Override
    public void close() {
        definitions.removeListener(Subscription.KIND, listener);
        try {
            control.submit(() -> {
                        closed = true;
                        running.keySet().stream().toList().forEach(this::stop);
                    })
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("stopping push deliverers: {}", e.toString());
        }
        control.shutdownNow();
    }
}
