package io.queueservice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API's OpenAPI document (src/main/resources/openapi.yaml) as a contract: its operations, and whether a
 * real answer (status, headers, media type, body) is one the document describes for its operation. Schemas
 * are validated with networknt's json-schema-validator in the OpenAPI 3.1 dialect; nothing is loaded from
 * outside (the document's own {@code $ref}s only).
 */
public final class OpenApiDocument {
    /** Where the validator believes the document lives; never fetched, the document is handed to it. */
    private static final String IRI = "https://queue-service.test/openapi.json";

    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    private static final ObjectMapper JSON = new ObjectMapper();

    final JsonNode root;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    /** An operation of the document: {@code GET /api/v1/queues/{name}}. */
    record Operation(String method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private OpenApiDocument(JsonNode root) {
        this.root = root;
        String json = root.toString();
        registry = SchemaRegistry.withDialect(
                Dialects.getOpenApi31(),
                builder -> builder.schemas(Map.of(IRI, json))
                        .schemaRegistryConfig(SchemaRegistryConfig.builder()
                                .pathType(PathType.JSON_POINTER)
                                .formatAssertionsEnabled(true)
                                .locale(Locale.ENGLISH)
                                .build())
                        .schemaLoader(
                                loader -> loader.allow(iri -> iri.toString().startsWith(IRI)
                                        || iri.toString().startsWith("https://json-schema.org/draft/2020-12/")
                                        || iri.toString().startsWith("https://spec.openapis.org/oas/3.1/"))));
    }

    /** The document of the repository (the class path's {@value ApiDocs#DOCUMENT}). */
    public static OpenApiDocument load() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(ApiDocs.DOCUMENT)) {
            return new OpenApiDocument(new YAMLMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every operation of {@code paths}. */
    Set<Operation> operations() {
        Set<Operation> ops = new LinkedHashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = root.path("paths").fields(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> path = p.next();
            for (Iterator<String> m = path.getValue().fieldNames(); m.hasNext(); ) {
                String method = m.next();
                if (METHODS.contains(method)) {
                    ops.add(new Operation(method.toUpperCase(Locale.ROOT), path.getKey()));
                }
            }
        }
        return ops;
    }

    JsonNode operation(Operation op) {
        JsonNode node = root.path("paths").path(op.path()).path(op.method().toLowerCase(Locale.ROOT));
        if (node.isMissingNode()) {
            throw new AssertionError("the document has no operation " + op);
        }
        return node;
    }

    /** The statuses documented for {@code op} ({@code default} left out). */
    Set<Integer> statuses(Operation op) {
        Set<Integer> statuses = new LinkedHashSet<>();
        operation(op).path("responses").fieldNames().forEachRemaining(s -> {
            if (!s.equals("default")) {
                statuses.add(Integer.parseInt(s));
            }
        });
        return statuses;
    }

    /** The names of the path parameters of {@code op} (the path item's and the operation's). */
    Set<String> pathParameters(Operation op) {
        Set<String> names = new LinkedHashSet<>();
        List<JsonNode> params = new ArrayList<>();
        root.path("paths").path(op.path()).path("parameters").forEach(params::add);
        operation(op).path("parameters").forEach(params::add);
        for (JsonNode p : params) {
            JsonNode param = resolve(p);
            if (param.path("in").asText().equals("path")) {
                names.add(param.path("name").asText());
            }
        }
        return names;
    }

    /** Follows a {@code $ref} of the document (to a response, a parameter, a header...). */
    JsonNode resolve(JsonNode node) {
        JsonNode n = node;
        while (n.has("$ref")) {
            n = root.at(n.path("$ref").asText().substring(1));
            if (n.isMissingNode()) {
                throw new AssertionError("unresolved $ref " + node.path("$ref").asText());
            }
        }
        return n;
    }

    /**
     * What is wrong with {@code response} as an answer of {@code op}; empty when the document describes it
     * (its status, required headers, media type and body).
     */
    List<String> check(Operation op, HttpResponse<byte[]> response) {
        List<String> wrong = new ArrayList<>();
        String status = Integer.toString(response.statusCode());
        JsonNode responses = operation(op).path("responses");
        String documented = responses.has(status) ? status : response.statusCode() == 500 ? "default" : null;
        if (documented == null || !responses.has(documented)) {
            return List.of(op + " answered " + status + ", which the document does not list");
        }
        String pointer =
                "/paths/" + escape(op.path()) + "/" + op.method().toLowerCase(Locale.ROOT) + "/responses/" + documented;
        JsonNode doc = responses.get(documented);
        while (doc.has("$ref")) {
            pointer = doc.path("$ref").asText().substring(1);
            doc = resolve(doc);
        }
        for (Iterator<Map.Entry<String, JsonNode>> h = doc.path("headers").fields(); h.hasNext(); ) {
            Map.Entry<String, JsonNode> e = h.next();
            JsonNode header = resolve(e.getValue());
            Optional<String> value = response.headers().firstValue(e.getKey());
            if (value.isEmpty()) {
                if (header.path("required").asBoolean(false)) {
                    wrong.add("header " + e.getKey() + " is missing");
                }
                continue;
            }
            String headerPointer = e.getValue().has("$ref")
                    ? e.getValue().path("$ref").asText().substring(1)
                    : pointer + "/headers/" + escape(e.getKey());
            for (Error err : schema(headerPointer + "/schema")
                    .validate(JSON.getNodeFactory().textNode(value.get()).toString(), InputFormat.JSON)) {
                wrong.add("header " + e.getKey() + " '" + value.get() + "': " + err);
            }
        }
        JsonNode content = doc.path("content");
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (content.isMissingNode() || content.isEmpty()) {
            if (response.body().length > 0) {
                wrong.add("a body, where the document describes none");
            }
            return wrong;
        }
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            wrong.add("Content-Type '" + contentType + "', where the document describes " + fieldNames(content));
            return wrong;
        }
        if (mediaType.endsWith("json")) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            for (Error err : schema(pointer + "/content/" + escape(mediaType) + "/schema")
                    .validate(body, InputFormat.JSON)) {
                wrong.add("body " + err + " in " + abbreviate(body));
            }
        } else if (response.body().length == 0) {
            wrong.add("an empty " + mediaType + " body");
        }
        return wrong;
    }

    /** What is wrong with {@code body} as the request body of {@code op}; empty when the document accepts it. */
    List<String> checkRequest(Operation op, String body) {
        JsonNode requestBody = operation(op).path("requestBody");
        if (requestBody.isMissingNode()) {
            return body == null || body.isEmpty()
                    ? List.of()
                    : List.of("a request body, which " + op + " takes none of");
        }
        String pointer = "/paths/" + escape(op.path()) + "/" + op.method().toLowerCase(Locale.ROOT)
                + "/requestBody/content/application~1json/schema";
        return schema(pointer).validate(body, InputFormat.JSON).stream()
                .map(Error::toString)
                .toList();
    }

    /**
     * What is wrong with a request sent to an endpoint as the document's webhook {@code name} describes it:
     * each header parameter it requires is there, and each header it describes has a valid value. Empty when
     * none.
     *
     * @param headers the request's headers, by lower-case name
     */
    public List<String> checkWebhook(String name, Map<String, String> headers) {
        List<String> wrong = new ArrayList<>();
        String pointer = "/webhooks/" + escape(name) + "/post/parameters";
        JsonNode params = root.at(pointer);
        if (params.isMissingNode()) {
            return List.of("the document has no webhook " + name);
        }
        for (int i = 0; i < params.size(); i++) {
            JsonNode param = resolve(params.get(i));
            if (!param.path("in").asText().equals("header")) {
                continue;
            }
            String header = param.path("name").asText().toLowerCase(Locale.ROOT);
            String value = headers.get(header);
            if (value == null) {
                if (param.path("required").asBoolean(false)) {
                    wrong.add("header " + header + " is missing");
                }
                continue;
            }
            for (Error err : schema(pointer + "/" + i + "/schema")
                    .validate(JSON.getNodeFactory().textNode(value).toString(), InputFormat.JSON)) {
                wrong.add("header " + header + " '" + value + "': " + err);
            }
        }
        return wrong;
    }

    /** The schema at {@code pointer} in the document, compiled once. */
    Schema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> {
            Schema s = registry.getSchema(SchemaLocation.of(IRI + "#" + p));
            s.initializeValidators();
            return s;
        });
    }

    /** A JSON Pointer reference token: {@code /api/v1/publish} becomes {@code ~1api~1v1~1publish}. */
    static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
