package io.queueservice.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.queueservice.validation.InvalidRequestException;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads request bodies strictly (the size limit is enforced before, by the route's body handler): malformed
 * JSON, unknown fields and values of the wrong type are reported with the field they concern, and no
 * scalar is silently converted ("5" is not a number, 1.5 is not an integer).
 */
final class JsonBodies {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION) // RawJson slices values out of the body
            .withCoercionConfig(
                    LogicalType.Textual,
                    c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private JsonBodies() {}

    /** Binds the request body, read by the route's body handler, to {@code type}; the request lets go of it. */
    static <T> T read(RoutingContext ctx, Class<T> type) {
        return read(BodyReader.take(ctx), type);
    }

    /** Binds {@code body} to {@code type}. */
    static <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw new InvalidRequestException("body", "is required: a JSON object");
        }
        if (body.length >= 2 && (body[0] == 0 || body[1] == 0)) {
            // UTF-16 or UTF-32 (JSON text is UTF-8, RFC 8259); RawJson slices the body by byte offsets.
            throw new InvalidRequestException("body", "must be JSON encoded in UTF-8");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw new InvalidRequestException("body", "must be a JSON object");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidRequestException(
                    path(e), "is not a known field; known fields are " + known(e.getKnownPropertyIds()));
        } catch (MismatchedInputException e) {
            String path = path(e);
            if (!path.equals("body")) {
                throw new InvalidRequestException(path, "must be " + describe(e.getTargetType()));
            }
            boolean trailing = e.getOriginalMessage().startsWith("Trailing token");
            throw new InvalidRequestException(
                    "body", trailing ? "must hold one JSON object and nothing after it" : "must be a JSON object");
        } catch (JsonMappingException e) {
            throw new InvalidRequestException(path(e), "is invalid: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidRequestException("body", "could not be read");
        }
    }

    /** The JSON path of the field a binding error concerns, e.g. {@code options.priority}. */
    private static String path(JsonMappingException e) {
        StringBuilder p = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                p.append(p.isEmpty() ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                p.append('[').append(r.getIndex()).append(']');
            }
        }
        return p.isEmpty() ? "body" : p.toString();
    }

    private static String known(Collection<Object> ids) {
        return ids.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class
                || type == Long.class
                || type == int.class
                || type == long.class
                || type == BigInteger.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == BigDecimal.class) {
            return "a number";
        }
        if (Map.class.isAssignableFrom(type) || JsonNode.class.isAssignableFrom(type) || type.isRecord()) {
            return "a JSON object";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a JSON array";
        }
        return "of another type";
    }
}
