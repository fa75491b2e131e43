package io.queueservice.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One event of the definitions log, as JSON in the message body (version 1):
 *
 * <ul>
 *   <li>{@code {"v":1,"op":"put","kind":..,"name":..,"expect":{"absent":true}|{"revision":n}|{},"at":..,"value":{..}}}
 *   <li>{@code {"v":1,"op":"delete","kind":..,"name":..,"expect":..,"at":..}}
 *   <li>{@code {"v":1,"op":"snapshot","covers":offset,"at":..,"entries":[{"kind","name","revision","at","value"}]}}
 *   <li>{@code {"v":1,"op":"sync"}}: changes nothing; its writer learns that it has read up to there.
 * </ul>
 *
 * The event's id is the message's {@code message-id}.
 */
sealed interface LogEvent permits LogEvent.Put, LogEvent.Delete, LogEvent.Snapshot, LogEvent.Sync {
    ObjectMapper JSON = new ObjectMapper();

    record Put(String kind, String name, Precondition expect, Instant at, ObjectNode value) implements LogEvent {}

    record Delete(String kind, String name, Precondition expect, Instant at) implements LogEvent {}

    /** The whole state as of offset {@code covers} (every event up to it applied). */
    record Snapshot(long covers, Instant at, List<Definition> entries) implements LogEvent {}

    record Sync() implements LogEvent {}

    static byte[] encode(LogEvent event) {
        ObjectNode n = JSON.createObjectNode().put("v", 1);
        switch (event) {
            case Put p -> {
                n.put("op", "put").put("kind", p.kind()).put("name", p.name());
                n.set("expect", expect(p.expect()));
                n.put("at", p.at().toString());
                n.set("value", p.value());
            }
            case Delete d -> {
                n.put("op", "delete").put("kind", d.kind()).put("name", d.name());
                n.set("expect", expect(d.expect()));
                n.put("at", d.at().toString());
            }
            case Snapshot s -> {
                n.put("op", "snapshot").put("covers", s.covers()).put("at", s.at().toString());
                ArrayNode entries = n.putArray("entries");
                for (Definition d : s.entries()) {
                    ObjectNode e = entries.addObject()
                            .put("kind", d.kind())
                            .put("name", d.name())
                            .put("revision", d.revision())
                            .put("at", d.updatedAt().toString());
                    e.set("value", d.value());
                }
            }
            case Sync s -> n.put("op", "sync");
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a definitions event as JSON", e);
        }
    }

    private static ObjectNode expect(Precondition p) {
        ObjectNode e = JSON.createObjectNode();
        switch (p) {
            case Precondition.Any a -> {}
            case Precondition.Absent a -> e.put("absent", true);
            case Precondition.AtRevision r -> e.put("revision", r.revision());
        }
        return e;
    }

    /**
     * Reads an event.
     *
     * @throws IllegalArgumentException for a body that is not an event of a version this code knows
     */
    static LogEvent decode(byte[] body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (n == null || !n.isObject() || n.path("v").asInt() != 1) {
            throw new IllegalArgumentException("not a version 1 event");
        }
        try {
            return switch (n.path("op").asText()) {
                case "put" ->
                    new Put(text(n, "kind"), text(n, "name"), expect(n.path("expect")), at(n), object(n, "value"));
                case "delete" -> new Delete(text(n, "kind"), text(n, "name"), expect(n.path("expect")), at(n));
                case "snapshot" -> {
                    List<Definition> entries = new ArrayList<>();
                    for (JsonNode e : n.path("entries")) {
                        entries.add(new Definition(
                                text(e, "kind"),
                                text(e, "name"),
                                object(e, "value"),
                                e.path("revision").asLong(),
                                at(e)));
                    }
                    if (!n.path("covers").canConvertToLong()) {
                        throw new IllegalArgumentException("snapshot without covers");
                    }
                    yield new Snapshot(n.path("covers").asLong(), at(n), entries);
                }
                case "sync" -> new Sync();
                default ->
                    throw new IllegalArgumentException(
                            "unknown op '" + n.path("op").asText() + "'");
            };
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad time: " + e.getParsedString());
        }
    }

    private static Precondition expect(JsonNode e) {
        if (e.path("absent").asBoolean(false)) {
            return Precondition.absent();
        }
        if (e.path("revision").canConvertToLong()) {
            return Precondition.revision(e.path("revision").asLong());
        }
        return Precondition.any();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return v.asText();
    }

    private static ObjectNode object(JsonNode n, String field) {
        if (!(n.path(field) instanceof ObjectNode o)) {
            throw new IllegalArgumentException("missing " + field);
        }
        return o;
    }

    private static Instant at(JsonNode n) {
        return Instant.parse(text(n, "at"));
    }
}
