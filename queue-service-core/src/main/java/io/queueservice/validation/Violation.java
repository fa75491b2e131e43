package io.queueservice.validation;

/** One thing wrong with a request: the field (dotted path, as in the JSON body) and why. */
public record Violation(String field, String message) {}
