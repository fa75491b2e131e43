package io.queueservice.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.queueservice.validation.Violation;

/**
 * One thing wrong with a request, in the {@code errors} of a {@link Problem}: a field of the request body
 * ({@code options.priority}), or a place in a published message that its schema refuses, as a JSON Pointer
 * into the message ({@code /variables/userName}). Exactly one of {@code field} and {@code pointer} is set.
 *
 * @param field the dotted path of the request's field; null for a place in a message
 * @param pointer the JSON Pointer (RFC 6901) into the message; null for a field of the request
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemError(String field, String pointer, String message) {

    /** A field of the request. */
    static ProblemError of(Violation v) {
        return new ProblemError(v.field(), null, v.message());
    }

    /** A place in a published message. */
    static ProblemError atPointer(String pointer, String message) {
        return new ProblemError(null, pointer, message);
    }
}
