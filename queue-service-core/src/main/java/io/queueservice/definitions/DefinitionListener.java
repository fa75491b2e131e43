package io.queueservice.definitions;

/**
 * Told about the changes to the definitions of one kind, in the order of the log, on the log's own
 * thread: keep it short (hand long work to a thread of your own), and do not wait there for a write
 * to the log, which that thread would have to apply.
 */
@FunctionalInterface
public interface DefinitionListener {
    void changed(DefinitionChange change);
}
