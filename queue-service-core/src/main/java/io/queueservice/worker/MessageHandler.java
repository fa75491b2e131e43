package io.queueservice.worker;

/**
 * Processes one message. Return an {@link Outcome}; throwing means {@link Outcome#retry()}, unless the
 * exception is of a type the worker was told is permanent ({@link WorkerOptions#permanentFailures()}),
 * which means {@link Outcome#deadLetter}. Called for one message at a time per consumer; a message may
 * come more than once (see {@link Message#redelivered()}), so keep handlers idempotent.
 */
@FunctionalInterface
public interface MessageHandler {
    Outcome handle(Message message) throws Exception;
}
