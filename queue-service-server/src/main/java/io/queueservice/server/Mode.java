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
 *       trying things by hand;
 *   <li>{@code render-email <message.json>}: prints the email the worker would send for a message, without
 *       sending it (and without a broker), for template authors.
 * </ul>
 *
 * @param printQueue the queue to print ({@code consume}), else null
 * @param emailToRender the file holding the message to render ({@code render-email}; {@code -} for standard
 *     input), else null
 */
public record Mode(boolean api, boolean emailWorker, String printQueue, String emailToRender) {
    static final String USAGE =
            "usage: queue-service [api | worker email | all | consume <queue> | render-email <message.json>]";

    /** The HTTP API only, the default. */
    public static Mode apiOnly() {
        return new Mode(true, false, null, null);
    }

    /** The email worker only. */
    public static Mode emailWorkerOnly() {
        return new Mode(false, true, null, null);
    }

    /** The API and the email worker in one process. */
    public static Mode apiAndEmailWorker() {
        return new Mode(true, true, null, null);
    }

    /** Prints the messages of {@code queue}. */
    public static Mode printing(String queue) {
        return new Mode(false, false, queue, null);
    }

    /** Prints the email rendered from the message in {@code file} ({@code -}: standard input). */
    public static Mode renderingEmail(String file) {
        return new Mode(false, false, null, file);
    }

    /** @throws IllegalArgumentException with {@link #USAGE} for anything else */
    static Mode parse(String[] args) {
        return switch (String.join(" ", List.of(args))) {
            case "", "api" -> apiOnly();
            case "worker email" -> emailWorkerOnly();
            case "all" -> apiAndEmailWorker();
            default -> {
                if (args.length == 2 && args[0].equals("consume") && !args[1].isBlank()) {
                    yield printing(args[1]);
                }
                if (args.length == 2 && args[0].equals("render-email") && !args[1].isBlank()) {
                    yield renderingEmail(args[1]);
                }
                throw new IllegalArgumentException(USAGE + "; got: " + String.join(" ", args));
            }
        };
    }
}
