package io.queueservice.worker;

import java.util.concurrent.CompletionStage;

/**
 * Processes one message without holding a thread while it waits: returns at once a stage that completes with
 * the {@link Outcome}, for a handler whose work is an asynchronous call (an HTTP request on a non-blocking
 * client, say). Everything {@link MessageHandler} says holds: a stage completed exceptionally, or an exception
 * thrown by {@code handle} itself, means {@link Outcome#retry()}, unless the exception is of a type the worker
 * was told is permanent ({@link WorkerOptions#permanentFailures()}); each consumer has one message in flight
 * at a time, so at most {@link WorkerOptions#concurrency()} are; keep handlers idempotent.
 *
 * <p>{@code handle} is called on the consumer's dispatch thread, on the thread that completed the previous
 * message's stage (an event loop of the client that completed it, typically), or after a retry or a
 * dead-lettering on the virtual thread that settled it; an {@link Outcome.Ack} or {@link Outcome.Requeue} is
 * acted on in the thread that completes the stage. Neither may block. Retries and dead-lettering, which wait
 * for the broker's confirm of a copy, run on a virtual thread of their own. While
 * messages wait behind the one in flight, acknowledgements are sent a few at a time ({@code multiple=true}),
 * each only once every message it covers was handled.
 */
@FunctionalInterface
public interface AsyncMessageHandler {
    /**
     * @return the outcome, when known; never null
     */
    CompletionStage<Outcome> handle(Message message);
}
