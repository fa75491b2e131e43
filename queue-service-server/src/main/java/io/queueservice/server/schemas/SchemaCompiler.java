package io.queueservice.server.schemas;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compiles message schemas (JSON Schema 2020-12) with networknt's json-schema-validator, once per schema, and
 * refuses what is not one: a schema that breaks the 2020-12 meta-schema, names another dialect, or refers to
 * anything outside itself. Nothing is ever loaded from the network or the class path for a schema: a schema
 * is self-contained, so it means the same on every instance.
 */
final class SchemaCompiler {
    static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

    /** The JSON reader of the validator's own Jackson (3), for schemas and messages alike. */
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Past this many, the errors of one schema or message are not listed. */
    static final int MAX_ERRORS = 20;

    private static final String META = "https://json-schema.org/draft/2020-12/";

    /** Every schema is validated with this configuration: errors located by JSON Pointer, formats asserted. */
    private static final SchemaRegistryConfig CONFIG = SchemaRegistryConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .formatAssertionsEnabled(true)
            .locale(Locale.ENGLISH)
            .build();

    private final Schema metaSchema;

    SchemaCompiler() {
        metaSchema = registry().getSchema(SchemaLocation.of(DIALECT));
        metaSchema.initializeValidators();
    }

    /**
     * The schema, compiled and ready to validate messages.
     *
     * @param schemaJson the schema's JSON text
     * @throws InvalidRequestException naming {@code field} when it is not a self-contained JSON Schema 2020-12
     */
    Schema compile(String field, String schemaJson) {
        JsonNode node = JSON.readTree(schemaJson);
        if (!node.isObject()) {
            throw new InvalidRequestException(field, "must be a JSON object: a JSON Schema (2020-12)");
        }
        JsonNode dialect = node.get("$schema");
        if (dialect != null && !(dialect.isString() && isDialect(dialect.stringValue()))) {
            throw new InvalidRequestException(
                    field + ".$schema", "must be " + DIALECT + " (JSON Schema 2020-12) when given, or left out");
        }
        List<Error> errors = metaSchema.validate(node);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors.stream()
                    .limit(MAX_ERRORS)
                    .map(e -> new Violation(
                            field,
                            "is not a valid JSON Schema 2020-12: at '" + e.getInstanceLocation() + "': "
                                    + e.getMessage()))
                    .toList());
        }
        try {
            Schema schema = registry().getSchema(node);
            schema.initializeValidators(); // resolves every $ref now: a broken one is refused here, not at publish
            return schema;
        } catch (RuntimeException e) {
            throw new InvalidRequestException(field, "cannot be compiled: " + reason(e));
        }
    }

    /**
     * A registry of its own for each schema: schemas of different targets may use the same {@code $id}, and
     * must never see one another.
     */
    private static SchemaRegistry registry() {
        return SchemaRegistry.withDefaultDialect(
                SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(CONFIG)
                        // Only the 2020-12 meta-schemas, which the library ships: no $ref reaches anything else.
                        .schemaLoader(
                                loader -> loader.allow(iri -> iri.toString().startsWith(META))));
    }

    private static boolean isDialect(String value) {
        return value.equals(DIALECT) || value.equals(DIALECT + "#");
    }

    /** What went wrong, without the library's stack of causes. */
    private static String reason(RuntimeException e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof com.networknt.schema.SchemaException s && s.getError() != null) {
            message = s.getError().getMessage();
        }
        return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    }

    /**
     * Validates {@code message} (its JSON text) with {@code schema}: the errors, by place, at most {@link
     * #MAX_ERRORS}.
     */
    static List<MessageRejectedException.MessageError> validate(Schema schema, byte[] message) {
        List<Error> errors = schema.validate(JSON.readTree(message));
        if (errors.isEmpty()) {
            return List.of();
        }
        // In the message's order of places, whatever order the validator found them in.
        return errors.stream()
                .map(e -> new MessageRejectedException.MessageError(pointer(e), e.getMessage()))
                .sorted(Comparator.comparing(MessageRejectedException.MessageError::pointer))
                .limit(MAX_ERRORS)
                .toList();
    }

    /**
     * Where the error is: the value's location, or, for a member that must be there and is not (or must not be
     * there and is), that member's.
     */
    private static String pointer(Error e) {
        String at =
                e.getInstanceLocation() == null ? "" : e.getInstanceLocation().toString();
        String keyword = e.getKeyword();
        String property = e.getProperty();
        if (property != null
                && keyword != null
                && switch (keyword) {
                    case "required", "dependentRequired", "additionalProperties", "unevaluatedProperties" -> true;
                    default -> false;
                }
                && !at.endsWith("/" + escape(property))) {
            return at + "/" + escape(property);
        }
        return at;
    }

    /** A JSON Pointer reference token (RFC 6901): {@code ~} and {@code /} escaped. */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
