package io.queueservice.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON value exactly as the client sent it. The message of a publish is forwarded byte for byte: no
 * re-encoding that would change number precision, key order or escapes, and no tree built only to be
 * written out again.
 *
 * @param bytes the value's JSON text
 * @param text when the value is a JSON string, its content; otherwise null
 */
@JsonDeserialize(using = RawJson.Deserializer.class)
record RawJson(byte[] bytes, String text) {
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    boolean isString() {
        return text != null;
    }

    static final class Deserializer extends JsonDeserializer<RawJson> {
        @Override
        public RawJson deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            // The body being parsed: kept in token locations by StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION.
            if (!(p.currentTokenLocation().contentReference().getRawContent() instanceof byte[] source)) {
                throw new IllegalStateException(
                        "RawJson must be parsed from a byte array with INCLUDE_SOURCE_IN_LOCATION");
            }
            int start = (int) p.currentTokenLocation().getByteOffset();
            String text = null;
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                text = p.getText(); // also reads the string to its end, so the location below is after it
            } else {
                p.skipChildren(); // parses the whole value: invalid JSON inside is still refused
            }
            int end = (int) p.currentLocation().getByteOffset();
            return new RawJson(Arrays.copyOfRange(source, start, end), text);
        }

        /** An explicit {@code null} is a JSON value like any other. */
        @Override
        public RawJson getNullValue(DeserializationContext ctxt) {
            return new RawJson(NULL, null);
        }

        /** An absent field stays absent (null), so "required" can be told apart from {@code null}. */
        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }
    }
}
