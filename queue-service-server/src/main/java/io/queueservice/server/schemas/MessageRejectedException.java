package io.queueservice.server.schemas;

import java.util.List;

/**
 * A message its schema refuses: nothing is published. Each error names the place in the message (a JSON
 * Pointer, RFC 6901, {@code ""} for the whole message) and what is wrong there.
 */
public final class MessageRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** One place in the message that the schema refuses. */
    public record MessageError(String pointer, String message) {}

    private final transient SchemaTarget target;
    private final transient List<MessageError> errors;

    MessageRejectedException(SchemaTarget target, List<MessageError> errors) {
        super(describe(target, errors.size()), null, false, false);
        this.target = target;
        this.errors = List.copyOf(errors);
    }

    /** The schema that refused the message. */
    public SchemaTarget target() {
        return target;
    }

    public List<MessageError> errors() {
        return errors;
    }

    private static String describe(SchemaTarget target, int count) {
        return "the message does not match the schema of exchange '" + target.exchange() + "'"
                + target.routingKey().map(k -> " for routing key '" + k + "'").orElse(" (any routing key)")
                + ": " + count + (count == 1 ? " error" : " errors") + "; nothing was published";
    }
}
