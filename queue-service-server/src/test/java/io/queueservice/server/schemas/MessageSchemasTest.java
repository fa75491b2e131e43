package io.queueservice.server.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.server.schemas.MessageRejectedException.MessageError;
import io.queueservice.validation.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Message schemas without a broker: what is refused and where, which schema applies, which schemas are refused. */
class MessageSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MessageSchemas schemas = MemorySchemaStore.schemas();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private MessageRejectedException refused(String exchange, String routingKey, String message) {
        return catchThrowableOfType(
                MessageRejectedException.class, () -> schemas.check(exchange, routingKey, bytes(message)));
    }

    @Test
    void aMissingMemberIsNamedByItsPointer() throws Exception {
        schemas.define(
                SchemaTarget.anyRoutingKey("email"),
                json("{\"type\":\"object\",\"required\":[\"to\"],\"properties\":{\"variables\":{\"type\":\"object\","
                        + "\"required\":[\"userName\"]}}}"));

        MessageRejectedException e = refused("email", "confirmation", "{\"variables\":{}}");

        assertThat(e.errors())
                .extracting(MessageError::pointer)
                .containsExactlyInAnyOrder("/to", "/variables/userName");
        assertThat(e.errors()).anySatisfy(err -> assertThat(err.message()).contains("'to'"));
    }

    @Test
    void aValueOfTheWrongTypeIsNamedByItsPointer() throws Exception {
        schemas.define(
                SchemaTarget.routingKey("orders", "created"),
                json("{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"items\":{\"type\":"
                        + "\"integer\"}},\"a/b\":{\"const\":1}},\"additionalProperties\":false}"));

        MessageRejectedException e = refused("orders", "created", "{\"items\":[1,\"two\"],\"a/b\":2,\"x\":1}");

        assertThat(e.errors()).extracting(MessageError::pointer).containsExactlyInAnyOrder("/items/1", "/a~1b", "/x");
        assertThat(e.getMessage()).contains("exchange 'orders'", "routing key 'created'", "3 errors");
    }

    @Test
    void theSchemaOfTheRoutingKeyWinsOverTheOneForAnyKey() throws Exception {
        schemas.define(SchemaTarget.anyRoutingKey("orders"), json("{\"type\":\"object\"}"));
        schemas.define(SchemaTarget.routingKey("orders", "count"), json("{\"type\":\"integer\"}"));

        schemas.check("orders", "count", bytes("5"));
        schemas.check("orders", "other", bytes("{}"));
        assertThat(refused("orders", "other", "5")).isNotNull();
        assertThat(refused("orders", "count", "{}")).isNotNull();
        schemas.check("elsewhere", "count", bytes("\"anything\""));
    }

    @Test
    void theDefaultExchangeIsNamedAmqDefault() throws Exception {
        schemas.define(SchemaTarget.routingKey("amq.default", "tasks"), json("{\"type\":\"object\"}"));

        assertThat(refused("", "tasks", "1")).isNotNull();
        assertThat(schemas.list())
                .singleElement()
                .satisfies(d -> assertThat(d.target().exchange()).isEqualTo("amq.default"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"type\":5}                                              | at '/type': does not have a value in the enumeration",
                "{\"minLength\":-1}                                        | at '/minLength': must have a minimum value of 0",
                "{\"$schema\":\"http://json-schema.org/draft-07/schema#\"} | schema.$schema: must be https://json-schema.org/draft/2020-12/schema",
                "{\"pattern\":\"(\"}                                       | at '/pattern': does not match the regex pattern",
                "{\"$ref\":\"#/$defs/none\"}                               | schema: cannot be compiled: Reference /$defs/none cannot be resolved"
            })
    void anInvalidSchemaIsRefusedNamingWhy(String schema, String why) {
        assertThatThrownBy(() -> schemas.define(SchemaTarget.anyRoutingKey("x"), json(schema)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(why);
        assertThat(schemas.list()).isEmpty();
    }

    @Test
    void aSchemaThatRefersOutsideItselfIsRefusedWithoutLoadingAnything() {
        for (String ref : new String[] {
            "http://127.0.0.1:1/schema.json", "classpath:logback.xml", "file:///etc/passwd", "other.json"
        }) {
            assertThatThrownBy(
                            () -> schemas.define(SchemaTarget.anyRoutingKey("x"), json("{\"$ref\":\"" + ref + "\"}")))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("is not allowed to be loaded");
        }
    }

    @Test
    void deletingStopsTheChecks() throws Exception {
        SchemaTarget target = SchemaTarget.anyRoutingKey("orders");
        schemas.define(target, json("{\"type\":\"object\"}"));
        schemas.delete(target);

        schemas.check("orders", "k", bytes("1"));
        assertThatThrownBy(() -> schemas.delete(target)).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void formatsAreChecked() throws Exception {
        schemas.define(
                SchemaTarget.anyRoutingKey("f"),
                json("{\"properties\":{\"at\":{\"format\":\"date-time\"},\"x\":{\"format\":\"no-such-format\"}}}"));
        assertThat(refused("f", "", "{\"at\":\"yesterday\"}").errors())
                .singleElement()
                .satisfies(e -> assertThat(e.pointer()).isEqualTo("/at"))
                .satisfies(e -> assertThat(e.message()).contains("date-time"));
        schemas.check("f", "", bytes("{\"at\":\"2026-01-01T00:00:00Z\",\"x\":\"y\"}"));
    }
}
