package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.rabbitmq.client.AMQP;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublishRequestTest {

    private static PublishRequest read(String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return JsonBodies.MAPPER.readValue(bytes, PublishRequest.class);
    }

    private static OutgoingMessage message(String json) throws IOException {
        return PublishMessages.toMessage(read(json));
    }

    private static String body(OutgoingMessage m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    private static List<Violation> refused(String json) throws IOException {
        PublishRequest request = read(json);
        InvalidRequestException e =
                catchThrowableOfType(InvalidRequestException.class, () -> PublishMessages.toMessage(request));
        assertThat(e).as("toMessage() should refuse %s", json).isNotNull();
        return e.violations();
    }

    private static List<String> refusedFields(String json) throws IOException {
        return refused(json).stream().map(Violation::field).toList();
    }

    // --- the body

    @Test
    void bodyIsTheClientsJsonTextByteForByte() throws IOException {
        OutgoingMessage m = message("{\"routingKey\":\"q\", \"message\": {\"b\": 1.50, \"a\":[1, 2]} }");

        assertThat(body(m)).isEqualTo("{\"b\": 1.50, \"a\":[1, 2]}");
    }

    @Test
    void bodyKeepsEscapesAndUnicodeAsSent() throws IOException {
        String value = "{\"text\":\"caf\\u00e9 \\\"q\\\" é 😀\", \"n\":1e3}";

        OutgoingMessage m = message("{\"message\":" + value + "}");

        assertThat(m.body()).isEqualTo(value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bodyIsSlicedCorrectlyAfterMultiByteCharacters() throws IOException {
        OutgoingMessage m = message("{\"routingKey\":\"очередь-😀\",\"message\":[\"ü\", 2.50]}");

        assertThat(body(m)).isEqualTo("[\"ü\", 2.50]");
        assertThat(m.routingKey()).isEqualTo("очередь-😀");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1.50",
                "-0",
                "12345678901234567890123",
                "true",
                "false",
                "\"a string\"",
                "[]",
                "{}",
                "[1,[2,{\"x\":null}]]"
            })
    void anyJsonValueIsSentAsItsText(String value) throws IOException {
        assertThat(body(message("{\"message\":" + value + "}"))).isEqualTo(value);
        assertThat(body(message("{\"message\": " + value + " , \"routingKey\":\"q\"}")))
                .isEqualTo(value);
    }

    @Test
    void messageBeforeOtherFieldsIsSlicedExactly() throws IOException {
        OutgoingMessage m = message("{\"message\":{\"k\":\"v\"},\"routingKey\":\"q\",\"options\":{\"priority\":1}}");

        assertThat(body(m)).isEqualTo("{\"k\":\"v\"}");
        assertThat(m.routingKey()).isEqualTo("q");
    }

    @Test
    void explicitNullMessageIsSentAsNull() throws IOException {
        assertThat(body(message("{\"routingKey\":\"q\",\"message\":null}"))).isEqualTo("null");
    }

    @Test
    void missingMessageIsRefused() throws IOException {
        assertThat(refused("{\"routingKey\":\"q\"}"))
                .singleElement()
                .satisfies(v -> assertThat(v.field()).isEqualTo("message"));
    }

    // --- defaults

    @Test
    void defaultsArePersistentMandatoryJsonWithGeneratedIdAndTimestamp() throws IOException {
        Instant before = Instant.now().minusSeconds(1);

        OutgoingMessage m = message("{\"message\":1}");

        AMQP.BasicProperties p = m.properties();
        assertThat(m.exchange()).isEmpty();
        assertThat(m.routingKey()).isEmpty();
        assertThat(m.mandatory()).isTrue();
        assertThat(p.getDeliveryMode()).isEqualTo(2);
        assertThat(p.getContentType()).isEqualTo("application/json");
        assertThat(UUID.fromString(p.getMessageId())).isNotNull();
        assertThat(p.getTimestamp()).isNotNull();
        assertThat(p.getTimestamp().toInstant()).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(p.getPriority()).isNull();
        assertThat(p.getExpiration()).isNull();
        assertThat(p.getCorrelationId()).isNull();
        assertThat(p.getHeaders()).isNull();
    }

    @Test
    void eachMessageGetsItsOwnId() throws IOException {
        assertThat(message("{\"message\":1}").properties().getMessageId())
                .isNotEqualTo(message("{\"message\":1}").properties().getMessageId());
    }

    @Test
    void emptyMessageIdIsReplacedByAGeneratedOne() throws IOException {
        String id = message("{\"message\":1,\"options\":{\"messageId\":\"\"}}")
                .properties()
                .getMessageId();

        assertThat(UUID.fromString(id)).isNotNull();
    }

    @Test
    void persistentFalseIsTransient() throws IOException {
        assertThat(message("{\"message\":1,\"options\":{\"persistent\":false}}")
                        .properties()
                        .getDeliveryMode())
                .isEqualTo(1);
        assertThat(message("{\"message\":1,\"options\":{\"persistent\":true}}")
                        .properties()
                        .getDeliveryMode())
                .isEqualTo(2);
    }

    @Test
    void mandatoryFalseIsCarried() throws IOException {
        assertThat(message("{\"message\":1,\"options\":{\"mandatory\":false}}").mandatory())
                .isFalse();
    }

    // --- options carried

    @Test
    void givenPropertiesAreCarried() throws IOException {
        OutgoingMessage m = message("""
                {"exchange":"events","routingKey":"order.created","message":{"id":7},
                 "options":{"messageId":"m-1","correlationId":"c-1","priority":9,"expiration":60000,
                            "contentType":"application/vnd.order+json"}}
                """);

        AMQP.BasicProperties p = m.properties();
        assertThat(m.exchange()).isEqualTo("events");
        assertThat(m.routingKey()).isEqualTo("order.created");
        assertThat(p.getMessageId()).isEqualTo("m-1");
        assertThat(p.getCorrelationId()).isEqualTo("c-1");
        assertThat(p.getPriority()).isEqualTo(9);
        assertThat(p.getExpiration()).isEqualTo("60000");
        assertThat(p.getContentType()).isEqualTo("application/vnd.order+json");
        assertThat(body(m)).isEqualTo("{\"id\":7}");
    }

    @Test
    void expirationAsNumericStringIsCarried() throws IOException {
        assertThat(message("{\"message\":1,\"options\":{\"expiration\":\"1500\"}}")
                        .properties()
                        .getExpiration())
                .isEqualTo("1500");
    }

    @Test
    void expirationBoundsAreZeroAndUnsigned32Bits() throws IOException {
        assertThat(message("{\"message\":1,\"options\":{\"expiration\":0}}")
                        .properties()
                        .getExpiration())
                .isEqualTo("0");
        assertThat(message("{\"message\":1,\"options\":{\"expiration\":4294967295}}")
                        .properties()
                        .getExpiration())
                .isEqualTo("4294967295");
        assertThat(refusedFields("{\"message\":1,\"options\":{\"expiration\":4294967296}}"))
                .containsExactly("options.expiration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "\"abc\"", "\"-1\"", "\"1.5\"", "1.5", "true", "{}", "\"\"", "\"99999999999\""})
    void badExpirationIsRefused(String expiration) throws IOException {
        assertThat(refusedFields("{\"message\":1,\"options\":{\"expiration\":" + expiration + "}}"))
                .containsExactly("options.expiration");
    }

    @Test
    void priorityBoundsAre0And255() throws IOException {
        assertThat(message("{\"message\":1,\"options\":{\"priority\":0}}")
                        .properties()
                        .getPriority())
                .isZero();
        assertThat(message("{\"message\":1,\"options\":{\"priority\":255}}")
                        .properties()
                        .getPriority())
                .isEqualTo(255);
        assertThat(refused("{\"message\":1,\"options\":{\"priority\":300}}"))
                .containsExactly(new Violation("options.priority", "must be between 0 and 255 but was 300"));
        assertThat(refusedFields("{\"message\":1,\"options\":{\"priority\":-1}}"))
                .containsExactly("options.priority");
    }

    // --- headers

    @Test
    void headersAreConvertedToFieldValues() throws IOException {
        OutgoingMessage m = message("""
                {"message":1,"options":{"headers":{
                  "int":7, "long":9000000000, "double":2.5, "bool":true, "null":null, "text":"t",
                  "object":{"inner":[1,"two",false]}, "array":[1.5,{"k":"v"}]
                }}}
                """);

        Map<String, Object> h = m.properties().getHeaders();
        assertThat(h)
                .containsEntry("int", 7)
                .containsEntry("long", 9_000_000_000L)
                .containsEntry("double", 2.5)
                .containsEntry("bool", true)
                .containsEntry("null", null)
                .containsEntry("text", "t");
        assertThat(h.get("int")).isInstanceOf(Integer.class);
        assertThat(h.get("long")).isInstanceOf(Long.class);
        assertThat(h.get("double")).isInstanceOf(Double.class);
        assertThat(h.get("object")).isEqualTo(Map.of("inner", List.of(1, "two", false)));
        assertThat(h.get("array")).isEqualTo(List.of(1.5, Map.of("k", "v")));
    }

    @Test
    void emptyHeadersAreNoHeaders() throws IOException {
        assertThat(message("{\"message\":1,\"options\":{\"headers\":{}}}")
                        .properties()
                        .getHeaders())
                .isNull();
    }

    @Test
    void headerNumberBeyondDoubleRangeIsRefused() throws IOException {
        assertThat(refused("{\"message\":1,\"options\":{\"headers\":{\"big\":1e400}}}"))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("options.headers.big");
                    assertThat(v.message()).contains("out of range");
                });
    }

    @Test
    void headerIntegerBeyond64BitsIsRefused() throws IOException {
        assertThat(refused("{\"message\":1,\"options\":{\"headers\":{\"big\":99999999999999999999}}}"))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("options.headers.big");
                    assertThat(v.message()).contains("64 bits");
                });
    }

    @Test
    void nestedHeaderProblemsNameTheirPath() throws IOException {
        assertThat(refusedFields("{\"message\":1,\"options\":{\"headers\":{\"a\":{\"b\":[1, 1e999]}}}}"))
                .containsExactly("options.headers.a.b[1]");
    }

    @Test
    void highPrecisionHeaderDecimalBecomesTheNearestDouble() throws IOException {
        Object v = message("{\"message\":1,\"options\":{\"headers\":{\"pi\":3.14159265358979323846}}}")
                .properties()
                .getHeaders()
                .get("pi");

        assertThat(v).isEqualTo(Math.PI);
    }

    // --- content types

    @Test
    void textPlainStringIsSentAsTheRawString() throws IOException {
        OutgoingMessage m =
                message("{\"message\":\"hello \\\"world\\\" é\",\"options\":{\"contentType\":\"text/plain\"}}");

        assertThat(body(m)).isEqualTo("hello \"world\" é");
        assertThat(m.properties().getContentType()).isEqualTo("text/plain");
    }

    @Test
    void jsonStringIsSentAsJsonText() throws IOException {
        assertThat(body(message("{\"message\":\"hello\"}"))).isEqualTo("\"hello\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json; charset=utf-8", "APPLICATION/JSON", "application/cloudevents+json"})
    void jsonContentTypesKeepTheJsonText(String contentType) throws IOException {
        OutgoingMessage m = message("{\"message\":\"hi\",\"options\":{\"contentType\":\"" + contentType + "\"}}");

        assertThat(body(m)).isEqualTo("\"hi\"");
        assertThat(m.properties().getContentType()).isEqualTo(contentType);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1}", "5", "true", "null", "[\"a\"]"})
    void nonStringWithTextContentTypeIsRefused(String value) throws IOException {
        assertThat(refused("{\"message\":" + value + ",\"options\":{\"contentType\":\"text/plain\"}}"))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("message");
                    assertThat(v.message()).contains("text/plain");
                });
    }

    // --- names

    @Test
    void exchangeAndRoutingKeyOver255BytesAreRefused() throws IOException {
        String tooLong = "k".repeat(256);

        assertThat(refusedFields("{\"exchange\":\"" + tooLong + "\",\"routingKey\":\"" + tooLong + "\",\"message\":1}"))
                .containsExactlyInAnyOrder("exchange", "routingKey");
    }

    @Test
    void routingKeyOf255BytesIsAccepted() throws IOException {
        assertThat(message("{\"routingKey\":\"" + "k".repeat(255) + "\",\"message\":1}")
                        .routingKey())
                .hasSize(255);
    }

    @Test
    void routingKeyLimitCountsUtf8Bytes() throws IOException {
        assertThat(refusedFields("{\"routingKey\":\"" + "é".repeat(128) + "\",\"message\":1}"))
                .containsExactly("routingKey");
    }

    @Test
    void overlongPropertiesAreRefused() throws IOException {
        String tooLong = "p".repeat(256);

        assertThat(refusedFields("{\"message\":\"text\",\"options\":{\"messageId\":\"" + tooLong
                        + "\",\"correlationId\":\"" + tooLong + "\",\"contentType\":\"" + tooLong + "\"}}"))
                .containsExactlyInAnyOrder("options.messageId", "options.correlationId", "options.contentType");
    }

    @Test
    void everyProblemIsReportedAtOnce() throws IOException {
        assertThat(refusedFields("""
                {"exchange":"%s","options":{"priority":300,"expiration":"abc","headers":{"h":1e400}}}
                """.formatted("x".repeat(300))))
                .containsExactlyInAnyOrder(
                        "exchange", "message", "options.priority", "options.expiration", "options.headers.h");
    }

    @Test
    void messageBodyIsACopyNotTheWholeRequest() throws IOException {
        String request = "{\"routingKey\":\"q\",\"message\":[1,2,3]}";

        OutgoingMessage m = message(request);

        assertThat(m.body()).hasSize(7);
        assertThat(Arrays.equals(m.body(), request.getBytes(StandardCharsets.UTF_8)))
                .isFalse();
    }
}
