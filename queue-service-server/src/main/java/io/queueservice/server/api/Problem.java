package io.queueservice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.queueservice.validation.Violation;
import java.util.List;

/**
 * An error response body, RFC 9457 {@code application/problem+json}. The same record is read back by
 * the integration tests, so server and tests agree on one shape.
 *
 * @param type a stable identifier of the kind of problem, {@code urn:queue-service:problem:<kind>}
 * @param errors for validation problems, each field that is wrong and why; for a message its schema
 *     refuses, each place in the message (a JSON Pointer) and why
 * @param argument for a conflicting redeclaration, the argument whose value differs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        String type,
        String title,
        int status,
        String detail,
        String instance,
        List<ProblemError> errors,
        String argument) {

    public static final String CONTENT_TYPE = "application/problem+json";

    static Problem of(String kind, String title, int status, String detail) {
        return new Problem("urn:queue-service:problem:" + kind, title, status, detail, null, null, null);
    }

    Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, errors, argument);
    }

    Problem withErrors(List<Violation> violations) {
        return withErrorItems(violations.stream().map(ProblemError::of).toList());
    }

    Problem withErrorItems(List<ProblemError> items) {
        return new Problem(type, title, status, detail, instance, items, argument);
    }

    Problem withArgument(String arg) {
        return new Problem(type, title, status, detail, instance, errors, arg);
    }
}
