package io.queueservice.definitions;

/**
 * What a write expects of the definition it replaces. Checked when the write is applied, in the log's
 * order, identically on every instance: of two writes that expect the same state, the first applies
 * and the second is refused everywhere, whichever instance wrote it.
 */
public sealed interface Precondition permits Precondition.Any, Precondition.Absent, Precondition.AtRevision {

    /** Whatever is there. */
    record Any() implements Precondition {}

    /** Nothing of that kind and name (a create). */
    record Absent() implements Precondition {}

    /** Exactly this revision (an update of what the writer read). */
    record AtRevision(long revision) implements Precondition {}

    static Precondition any() {
        return new Any();
    }

    static Precondition absent() {
        return new Absent();
    }

    static Precondition revision(long revision) {
        return new AtRevision(revision);
    }
}
