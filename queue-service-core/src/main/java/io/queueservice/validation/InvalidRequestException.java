package io.queueservice.validation;

import io.queueservice.broker.BrokerException;
import java.util.List;
import java.util.function.UnaryOperator;

/** A request that breaks the rules before anything reached the broker; lists every violation found. */
public final class InvalidRequestException extends BrokerException {
    private static final long serialVersionUID = 1L;
    private final List<Violation> violations;

    public InvalidRequestException(List<Violation> violations) {
        super(summary(violations));
        this.violations = List.copyOf(violations);
    }

    public InvalidRequestException(String field, String message) {
        this(List.of(new Violation(field, message)));
    }

    public List<Violation> violations() {
        return violations;
    }

    /**
     * The same violations with their fields renamed: the library names fields its own way, and a caller maps
     * them to its own terms (the HTTP API to the JSON paths of its request bodies).
     */
    public InvalidRequestException renamed(UnaryOperator<String> rename) {
        return new InvalidRequestException(violations.stream()
                .map(v -> new Violation(rename.apply(v.field()), v.message()))
                .toList());
    }

    /** Throws when {@code violations} is not empty. */
    public static void throwIfAny(List<Violation> violations) {
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
    }

    private static String summary(List<Violation> violations) {
        return violations.stream()
                .map(v -> v.field() + ": " + v.message())
                .reduce((a, b) -> a + "; " + b)
                .orElse("invalid request");
    }
}
