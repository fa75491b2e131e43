package io.queueservice.broker;

import java.util.Optional;

/**
 * The request conflicts with the current state of a resource: it exists with other arguments, it is in
 * use or not empty, or another connection holds it exclusively.
 */
public final class ResourceConflictException extends BrokerException {
    private static final long serialVersionUID = 1L;
    private final String argument;

    public ResourceConflictException(String message, String argument) {
        super(message);
        this.argument = argument;
    }

    /** The argument whose value differs from the existing resource's, when that is the conflict. */
    public Optional<String> argument() {
        return Optional.ofNullable(argument);
    }
}
