package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.queueservice.validation.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression found by the hostile-input fuzzer (HostileInputIT): binding arguments nested a thousand
 * levels deep overflowed the stack of the AMQP client's recursive table encoder, answered 500. Nesting is
 * now bounded and reported with the field's path.
 */
class FieldTablesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, JsonNode> nested(int levels, String open, String close) throws Exception {
        String json = "{\"a\":" + open.repeat(levels) + "1" + close.repeat(levels) + "}";
        JsonNode tree = JSON.readTree(json);
        return Map.of("a", tree.get("a"));
    }

    @Test
    void tablesNestedDeeperThanTheLimitAreRefusedWithThePath() throws Exception {
        for (String[] kind : List.of(new String[] {"{\"k\":", "}"}, new String[] {"[", "]"})) {
            List<Violation> v = new ArrayList<>();

            FieldTables.from("arguments", nested(900, kind[0], kind[1]), v);

            assertThat(v).singleElement().satisfies(violation -> {
                assertThat(violation.field()).startsWith("arguments.a");
                assertThat(violation.message()).contains("nested too deeply").contains("16");
            });
        }
    }

    @Test
    void nestingUpToTheLimitIsKept() throws Exception {
        List<Violation> v = new ArrayList<>();

        Map<String, Object> table = FieldTables.from("arguments", nested(FieldTables.MAX_DEPTH, "{\"k\":", "}"), v);

        assertThat(v).isEmpty();
        Object inner = table.get("a");
        for (int i = 1; i < FieldTables.MAX_DEPTH; i++) {
            inner = ((Map<?, ?>) inner).get("k");
        }
        assertThat(((Map<?, ?>) inner).get("k")).isEqualTo(1);
    }
}
