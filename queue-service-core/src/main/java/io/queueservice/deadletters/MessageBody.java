package io.queueservice.deadletters;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * A message body as it can be shown: text when it is UTF-8 text or JSON, base64 otherwise, at most {@value
 * #MAX_BYTES} bytes of it.
 *
 * @param data the text, or the base64 of the bytes
 * @param size the body's whole size in bytes
 * @param truncated whether {@code data} holds only the first {@value #MAX_BYTES} bytes (or fewer, to end on a
 *     whole character)
 */
public record MessageBody(Encoding encoding, String data, int size, boolean truncated) {
    /** Most bytes of a body shown. */
    public static final int MAX_BYTES = 64 * 1024;

    /** How {@link #data} holds the body. */
    public enum Encoding {
        TEXT,
        BASE64
    }

    /**
     * The body as shown: text when it has no content encoding (or an identity one), a content type that is text,
     * JSON or XML (or none), and is valid UTF-8 without NUL characters; base64 otherwise.
     */
    public static MessageBody of(byte[] body, String contentType, String contentEncoding) {
        boolean truncated = body.length > MAX_BYTES;
        byte[] shown = truncated ? Arrays.copyOf(body, MAX_BYTES) : body;
        if (textual(contentType, contentEncoding)) {
            int end = truncated ? characterBoundary(shown) : shown.length;
            String text = utf8(shown, end);
            if (text != null && text.indexOf('\0') < 0) {
                return new MessageBody(Encoding.TEXT, text, body.length, truncated);
            }
        }
        return new MessageBody(Encoding.BASE64, Base64.getEncoder().encodeToString(shown), body.length, truncated);
    }

    private static boolean textual(String contentType, String contentEncoding) {
        if (contentEncoding != null
                && !contentEncoding.isBlank()
                && !contentEncoding.equalsIgnoreCase("identity")
                && !contentEncoding.equalsIgnoreCase("utf-8")) {
            return false; // gzip, deflate, ...: bytes, whatever the type
        }
        if (contentType == null || contentType.isBlank()) {
            return true; // decided by the bytes
        }
        String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
        return type.startsWith("text/")
                || type.equals("application/json")
                || type.endsWith("+json")
                || type.equals("application/xml")
                || type.endsWith("+xml")
                || type.equals("application/x-www-form-urlencoded");
    }

    /** Where the last whole UTF-8 character ends in a prefix cut at an arbitrary byte. */
    private static int characterBoundary(byte[] prefix) {
        int end = prefix.length;
        int continuation = 0;
        while (end > 0 && continuation < 3 && (prefix[end - 1] & 0xC0) == 0x80) {
            end--;
            continuation++;
        }
        if (end == 0) {
            return prefix.length;
        }
        int lead = prefix[end - 1] & 0xFF;
        int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        // The character that starts at end - 1 is whole when all its continuation bytes are there.
        return length == continuation + 1 ? prefix.length : end - 1;
    }

    private static String utf8(byte[] bytes, int length) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
