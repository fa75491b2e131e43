package io.queueservice.server;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What one process runs, from its command line (the same jar, and the same image, for every role):
 *
 * <ul>
 *   <li>{@code api} (the default): the HTTP API, which also delivers push subscriptions (unless {@code
 *       PUSH_DELIVERY=false});
 *   <li>{@code push}: push subscriptions' deliveries only, with health and metrics over HTTP;
 *   <li>{@code worker email}: the confirmation-email worker, with health and metrics over HTTP;
 *   <li>{@code all}: the API and the email worker, for development;
 *   <li>{@code consume <queue>}: prints the messages of a queue as they arrive (and removes them), for
 *       trying things by hand;
 *   <li>{@code render-email <message.json>}: prints the email the worker would send for a message, without
 *       sending it (and without a broker), for template authors.
 * </ul>
 */
public sealed interface Mode {
    String USAGE =
            "usage: queue-service [api | push | worker email | all | consume <queue> | render-email <message.json>]";

    /** What a serving process does. */
    enum Role {
        /** The HTTP API (with push deliveries, unless PUSH_DELIVERY=false). */
        API,
        /** Push subscriptions' deliveries, without the API. */
        PUSH,
        /** The confirmation-email worker. */
        EMAIL_WORKER
    }

    /** A process that serves until it is stopped: health and metrics over HTTP, and its roles. */
    record Serve(Set<Role> roles) implements Mode {
        public Serve {
            roles = Set.copyOf(roles);
        }
    }

    /** Prints the messages of {@code queue}, and stops. */
    record Print(String queue) implements Mode {}

    /** Prints the email rendered from the message in {@code file} ({@code -}: standard input), and stops. */
    record RenderEmail(String file) implements Mode {}

    /** Whether the process serves the HTTP API. */
    default boolean api() {
        return this instanceof Serve s && s.roles().contains(Role.API);
    }

    /** Whether the process runs the email worker. */
    default boolean emailWorker() {
        return this instanceof Serve s && s.roles().contains(Role.EMAIL_WORKER);
    }

    /** Whether the process runs push subscriptions: with the API, or alone. */
    default boolean pushSubscriptions() {
        return this instanceof Serve s
                && (s.roles().contains(Role.API) || s.roles().contains(Role.PUSH));
    }

    /** The HTTP API only, the default. */
    static Mode apiOnly() {
        return new Serve(EnumSet.of(Role.API));
    }

    /** Push subscriptions' deliveries only. */
    static Mode pushOnly() {
        return new Serve(EnumSet.of(Role.PUSH));
    }

    /** The email worker only. */
    static Mode emailWorkerOnly() {
        return new Serve(EnumSet.of(Role.EMAIL_WORKER));
    }

    /** The API and the email worker in one process. */
    static Mode apiAndEmailWorker() {
        return new Serve(EnumSet.of(Role.API, Role.EMAIL_WORKER));
    }

    /** @throws IllegalArgumentException with {@link #USAGE} for anything else */
    static Mode parse(String[] args) {
        return switch (String.join(" ", List.of(args))) {
            case "", "api" -> apiOnly();
            case "push" -> pushOnly();
            case "worker email" -> emailWorkerOnly();
            case "all" -> apiAndEmailWorker();
            default -> {
                if (args.length == 2 && args[0].equals("consume") && !args[1].isBlank()) {
                    yield new Print(args[1]);
                }
                if (args.length == 2 && args[0].equals("render-email") && !args[1].isBlank()) {
                    yield new RenderEmail(args[1]);
                }
                throw new IllegalArgumentException(USAGE + "; got: " + String.join(" ", args));
            }
        };
    }
}
