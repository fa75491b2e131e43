package io.queueservice.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.queueservice.broker.ResourceNotFoundException;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The API's reference: {@code GET /openapi.json}, the OpenAPI 3.1 document ({@code openapi.yaml} of the
 * class path, served as JSON), and {@code GET /docs}, Swagger UI showing it. Swagger UI's files come from its
 * WebJar, served here: the page loads nothing from anywhere else, which its Content-Security-Policy enforces.
 *
 * <p>Files are read from the class path (the document once, then kept; Swagger UI's files, 2 MiB together, at
 * each request rather than held in a small heap for a page that is seldom opened): run these handlers on worker
 * threads.
 */
final class ApiDocs {
    /** The document as kept in the repository. */
    static final String DOCUMENT = "/openapi.yaml";

    private static final String PAGE = "/io/queueservice/server/api/docs/";
    private static final String WEBJAR = "/META-INF/resources/webjars/swagger-ui/";

    /**
     * The page's policy: everything from this origin only (Swagger UI styles its elements inline, and shows
     * images given as data: URLs); never in a frame.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'"
            + " 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'none';"
            + " base-uri 'none'; frame-ancestors 'none'";

    /** The files of {@code /docs/{file}}: the page's script, and Swagger UI's own files. */
    private static final Map<String, String> ASSETS = Map.of(
            "docs.js", "text/javascript; charset=utf-8",
            "docs.css", "text/css; charset=utf-8",
            "swagger-ui.css", "text/css; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "favicon-16x16.png", "image/png",
            "favicon-32x32.png", "image/png");

    private record File(String contentType, byte[] bytes) {}

    private final String version;
    private volatile File document;

    /** @param version the service's version, served as the document's {@code info.version} */
    ApiDocs(String version) {
        this.version = version;
    }

    /** {@code GET /openapi.json}. */
    void document(RoutingContext ctx) {
        File doc = document;
        if (doc == null) {
            doc = new File("application/json", documentJson());
            document = doc; // two first requests at once may both build it: the same bytes
        }
        send(ctx, doc, "no-cache");
    }

    /** {@code GET /docs}: the page. */
    void page(RoutingContext ctx) {
        ctx.response().putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        send(ctx, new File("text/html; charset=utf-8", read(PAGE + "index.html")), "no-cache");
    }

    /** {@code GET /docs/{file}}: one of the page's files. */
    void asset(RoutingContext ctx) {
        String name = ctx.pathParam("file");
        String contentType = ASSETS.get(name);
        if (contentType == null) {
            throw new ResourceNotFoundException("file", name);
        }
        send(ctx, new File(contentType, read(location(name))), "public, max-age=3600");
    }

    /** The document as JSON, with this service's version. */
    byte[] documentJson() {
        try {
            ObjectNode doc = (ObjectNode) new YAMLMapper().readTree(read(DOCUMENT));
            ((ObjectNode) doc.get("info")).put("version", version);
            return new ObjectMapper().writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DOCUMENT, e);
        }
    }

    private static String location(String asset) {
        return asset.startsWith("docs.") ? PAGE + asset : WEBJAR + swaggerUiVersion() + "/" + asset;
    }

    /** The version of the Swagger UI WebJar on the class path, as its Maven properties tell. */
    private static String swaggerUiVersion() {
        try (InputStream in =
                ApiDocs.class.getResourceAsStream("/META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("Swagger UI's WebJar is not on the class path");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = ApiDocs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(RoutingContext ctx, File file, String cacheControl) {
        ctx.response()
                .putHeader("Content-Type", file.contentType())
                .putHeader("Cache-Control", cacheControl)
                .putHeader("X-Content-Type-Options", "nosniff")
                .end(Buffer.buffer(file.bytes()));
    }
}
