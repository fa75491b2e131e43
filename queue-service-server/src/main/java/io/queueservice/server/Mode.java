package io.queueservice.server;

import java.util.List;

/**
 * What one process runs, from its command line (the same jar, and the same image, for every role):
 *
 * <ul>
 *   <li>{@code api} (the default): the HTTP API;
 *   <li>{@code worker email}: the confirmation-email worker, with health and metrics over HTTP;
 *   <li>{@code all}: both, for development;
 *   <li>{@code consume <queue>}: prints the messages of a queue as they arrive (and removes them), for
 *       trying things by hand.
 * </ul>
 */
public record Mode(boolean api, boolean emailWorker, String printQueue) {
    static final String USAGE = "usage: queue-service [api | worker email | all | consume <queue>]";

    /** @throws IllegalArgumentException with {@link #USAGE} for anything else */
    static Mode parse(String[] args) {
        return switch (String.join(" ", List.of(args))) {
            case "", "api" -> new Mode(true, false, null);
            case "worker email" -> new Mode(false, true, null);
            case "all" -> new Mode(true, true, null);
            default -> {
                if (args.length == 2 && args[0].equals("consume") && !args[1].isBlank()) {
                    yield new Mode(false, false, args[1]);
                }
                throw new IllegalArgumentException(USAGE + "; got: " + String.join(" ", args));
            }
        };
    }
}
