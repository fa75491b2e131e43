package io.queueservice.definitions;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One definition as it stands in the {@link DefinitionsLog}.
 *
 * @param kind what it defines ({@code subscription}, later {@code schema}, ...)
 * @param name unique within its kind
 * @param value the definition itself, as JSON; treat it as read-only (it is shared by every reader)
 * @param revision the stream offset of the event that last wrote it: the same on every instance, and
 *     what a conditional write names ({@link Precondition#revision(long)})
 * @param updatedAt when that event was written (by the writer's clock)
 */
public record Definition(String kind, String name, ObjectNode value, long revision, Instant updatedAt) {
    public Definition {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
