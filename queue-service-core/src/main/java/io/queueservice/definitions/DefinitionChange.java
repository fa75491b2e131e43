package io.queueservice.definitions;

import java.util.Optional;

/**
 * A definition appeared, changed or went away.
 *
 * @param before the definition before the change; empty when it was created
 * @param after the definition after the change; empty when it was deleted
 */
public record DefinitionChange(String kind, String name, Optional<Definition> before, Optional<Definition> after) {

    public boolean deleted() {
        return after.isEmpty();
    }
}
