package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.BindingSpec;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.ExchangeSpec;
import io.queueservice.broker.ManagementApi;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.QueueInfo;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.broker.ResourceConflictException;
import io.queueservice.broker.ResourceNotFoundException;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.deadletters.DeadLetterListing;
import io.queueservice.deadletters.DeadLetterOperations;
import io.queueservice.deadletters.DeadLetterQueue;
import io.queueservice.deadletters.DeadLetterRouting;
import io.queueservice.deadletters.Failure;
import io.queueservice.deadletters.MessageBody;
import io.queueservice.deadletters.Peek;
import io.queueservice.deadletters.PeekedMessage;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.publish.MessageNackedException;
import io.queueservice.publish.OutgoingMessage;
import io.queueservice.publish.Publisher;
import io.queueservice.publish.UnroutableMessageException;
import io.queueservice.redrive.RedriveOperations;
import io.queueservice.redrive.RedriveRequest;
import io.queueservice.redrive.RedriveState;
import io.queueservice.redrive.RedriveStatus;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import io.queueservice.server.api.OpenApiDocument.Operation;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.push.PushNotConfiguredException;
import io.queueservice.server.push.SubscriptionOperations;
import io.queueservice.server.push.SubscriptionRequest;
import io.queueservice.server.push.SubscriptionView;
import io.queueservice.server.schemas.MemorySchemaStore;
import io.queueservice.server.schemas.MessageSchemas;
import io.queueservice.server.schemas.SchemaStore;
import io.queueservice.server.security.Scope;
import io.queueservice.server.security.TestTokens;
import io.queueservice.validation.InvalidRequestException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The OpenAPI document (src/main/resources/openapi.yaml) against the server: every route the server declares
 * is in the document with the scope it needs, and nothing else is; and every answer the document lists for
 * each route (each success and each documented error) is produced by the real HTTP layer, in front of a fake
 * publisher, topology, management API and schema store, and matches the document's status, headers, media
 * type and schema. A route added without its documentation, or an answer that drifts from it, fails here.
 */
class OpenApiContractTest {
    private static final String SECRET = "an-hmac-secret-of-at-least-32-bytes!!";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 4096;
    private static final int MAX_BATCH_BODY = 8192;

    private static OpenApiDocument doc;
    private static HttpClient client;

    /** The API with JWT (HS256) and METRICS_AUTH, every fake behind it. */
    private static ApiServer main;
    /** The same, with a quota of one request per second per caller. */
    private static ApiServer quota;
    /** Broker connections never started, no management API: not ready, 501 for the list of queues. */
    private static OfflineApi offline;

    private static HttpServer managementApi;
    private static final AtomicReference<String> managementMode = new AtomicReference<>("ok");
    /** Lets the management API's slow answer go, once the service gave up waiting for it. */
    private static volatile CountDownLatch managementReleased = new CountDownLatch(1);

    private static final KeyPair JWKS_KEYS = TestTokens.rsa(2048);
    private static final AtomicInteger subjects = new AtomicInteger();

    /** What each operation answered in the scenarios, by status. */
    private static final Map<Operation, Set<Integer>> seen = new ConcurrentHashMap<>();

    // --- the fakes

    private static final ConcurrentLinkedQueue<OutgoingMessage> published = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<CompletableFuture<Void>> held = new ConcurrentLinkedQueue<>();

    /** The publisher's outcome for a message, by its routing key. */
    private static final Map<String, Function<OutgoingMessage, CompletableFuture<Void>>> OUTCOMES = Map.of(
            "ok", m -> CompletableFuture.completedFuture(null),
            "missing", m -> CompletableFuture.failedFuture(new ResourceNotFoundException("exchange", m.exchange())),
            "unroutable",
                    m -> CompletableFuture.failedFuture(new UnroutableMessageException(m.exchange(), m.routingKey())),
            "nacked", m -> CompletableFuture.failedFuture(new MessageNackedException()),
            "forbidden",
                    m -> CompletableFuture.failedFuture(
                            new OperationRefusedException("cannot publish to internal exchange", true)),
            "down",
                    m -> CompletableFuture.failedFuture(
                            new BrokerUnavailableException("not connected to the broker", Duration.ofSeconds(3))),
            "slow",
                    m -> CompletableFuture.failedFuture(
                            new BrokerTimeoutException("the broker did not confirm the message in time")),
            "bug", m -> CompletableFuture.failedFuture(new IllegalStateException("a defect")),
            "hold",
                    m -> {
                        CompletableFuture<Void> f = new CompletableFuture<>();
                        held.add(f);
                        return f;
                    });

    private static final Publisher PUBLISHER = new Publisher() {
        @Override
        public CompletableFuture<Void> publish(OutgoingMessage m) {
            published.add(m);
            return OUTCOMES.getOrDefault(m.routingKey(), OUTCOMES.get("ok")).apply(m);
        }

        @Override
        public List<CompletableFuture<Void>> publishAll(List<OutgoingMessage> messages) {
            if (messages.stream().anyMatch(m -> m.routingKey().equals("full"))) {
                throw new BrokerUnavailableException(
                        "too many messages are waiting for the broker's confirm", Duration.ofSeconds(1));
            }
            return Publisher.super.publishAll(messages);
        }
    };

    /** The topology's outcome for an operation on a name. */
    private static void outcome(String name) {
        switch (name) {
            case "missing" -> throw new ResourceNotFoundException("queue", name);
            case "taken" -> throw new ResourceConflictException("exists with other settings", "x-max-length");
            case "refused" -> throw new OperationRefusedException("queue.purge not supported by stream queues", false);
            case "forbidden" -> throw new OperationRefusedException("access refused", true);
            case "invalid" -> throw new InvalidRequestException("name", "is too long");
            case "down" -> throw new BrokerUnavailableException("not connected to the broker", Duration.ofSeconds(2));
            case "slow" -> throw new BrokerTimeoutException("the broker did not answer in time");
            case "bug" -> throw new IllegalStateException("a defect");
            case "watched" -> {
                // The queue /api/v1/stats reads: as the management API's mode says (see run).
                switch (managementMode.get()) {
                    case "slow" -> throw new BrokerTimeoutException("the broker did not answer in time");
                    case "failing" ->
                        throw new BrokerUnavailableException("not connected to the broker", Duration.ofSeconds(2));
                    default -> {}
                }
            }
            default -> {}
        }
    }

    private static final TopologyOperations TOPOLOGY = new TopologyOperations() {
        @Override
        public Optional<QueueType> defaultQueueType() {
            return Optional.empty();
        }

        @Override
        public boolean declareExchange(ExchangeSpec spec) {
            outcome(spec.name());
            return !spec.name().equals("existing");
        }

        @Override
        public void deleteExchange(String name, boolean ifUnused) {
            outcome(name);
        }

        @Override
        public boolean declareQueue(QueueSpec spec) {
            outcome(spec.name());
            return !spec.name().equals("existing");
        }

        @Override
        public QueueInfo queueInfo(String name) {
            outcome(name);
            return new QueueInfo(name, 3, 1);
        }

        @Override
        public long deleteQueue(String name, boolean ifUnused, boolean ifEmpty) {
            outcome(name);
            return 2;
        }

        @Override
        public long purgeQueue(String name) {
            outcome(name);
            return 5;
        }

        @Override
        public void bind(BindingSpec spec) {
            outcome(spec.queue());
        }

        @Override
        public void unbind(BindingSpec spec) {
            outcome(spec.queue());
        }
    };

    /** Push subscriptions whose outcome is chosen by name, as {@link #outcome} does for the topology. */
    private static final SubscriptionOperations SUBSCRIPTIONS = new SubscriptionOperations() {
        private SubscriptionView view(String name, String secret) {
            subscriptionOutcome(name);
            return new SubscriptionView(
                    name,
                    "orders",
                    "https://hooks.example.com/orders",
                    secret,
                    6,
                    10_000,
                    8,
                    Map.of("Authorization", "****"),
                    name.startsWith("paused") ? "paused" : "active",
                    name.startsWith("paused") ? "paused through the API" : null,
                    name.startsWith("paused") ? "2026-12-04T10:00:00Z" : null,
                    new SubscriptionView.Counts(10, 2, 0),
                    new SubscriptionView.LastError("2026-12-04T09:59:00Z", 500, "the endpoint answered HTTP 500"),
                    "2026-12-01T10:00:00Z",
                    "2026-12-04T10:00:00Z",
                    42);
        }

        private static void subscriptionOutcome(String name) {
            switch (name) {
                case "nokey" -> throw new PushNotConfiguredException("push subscriptions need SUBSCRIPTIONS_KEY");
                default -> outcome(name);
            }
        }

        @Override
        public List<SubscriptionView> list() {
            return List.of(view("orders-hook", "whsec_****"), view("paused-hook", "whsec_****"));
        }

        @Override
        public SubscriptionView get(String name) {
            return view(name, "whsec_****");
        }

        @Override
        public SubscriptionView create(SubscriptionRequest request) {
            return view(request.name(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        }

        @Override
        public SubscriptionView update(String name, SubscriptionRequest request) {
            return view(name, request.secret() == null ? "whsec_****" : request.secret());
        }

        @Override
        public void delete(String name) {
            subscriptionOutcome(name);
        }

        @Override
        public SubscriptionView pause(String name) {
            subscriptionOutcome(name);
            return view("paused-" + name, "whsec_****");
        }

        @Override
        public SubscriptionView resume(String name) {
            return view(name, "whsec_****");
        }
    };

    /** Dead-letter queues and looks at queues whose outcome is chosen by name, as {@link #outcome} does. */
    private static final DeadLetterOperations DEAD_LETTERS = new DeadLetterOperations() {
        @Override
        public DeadLetterListing deadLetterQueues() {
            outcome("watched"); // the broker's answers, as the management API's mode says
            return new DeadLetterListing(
                    List.of(new DeadLetterQueue(
                            "orders.dlq", List.of("orders"), Set.of(DeadLetterRouting.Via.WORKER), 3, 0)),
                    false);
        }

        @Override
        public Peek peek(String queue, int limit) {
            outcome(queue);
            Map<String, Object> headers = Map.of(
                    "qs-failure-reason", "card declined",
                    "qs-attempt", 4,
                    "qs-last-failed-at", "2026-12-04T10:00:00Z",
                    "qs-original-exchange", "",
                    "qs-original-routing-key", "orders");
            return new Peek(
                    queue,
                    7,
                    List.of(new PeekedMessage(
                            "",
                            queue,
                            true,
                            new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                                    .messageId("m-1")
                                    .contentType("application/json")
                                    .deliveryMode(2)
                                    .timestamp(new java.util.Date(0))
                                    .build(),
                            headers,
                            MessageBody.of("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "application/json", null),
                            Failure.decode(headers))));
        }
    };

    /** Redrives: started on any queue whose name {@link #outcome} lets through; {@code r-1} is known. */
    private static final RedriveOperations REDRIVES = new RedriveOperations() {
        private RedriveStatus status(String id, String queue, RedriveRequest request) {
            return new RedriveStatus(
                    id,
                    queue,
                    RedriveState.COMPLETED,
                    3,
                    1,
                    4,
                    java.time.Instant.parse("2026-12-04T10:00:00Z"),
                    Optional.of(java.time.Instant.parse("2026-12-04T10:00:01Z")),
                    Optional.empty(),
                    request);
        }

        @Override
        public RedriveStatus start(String queue, RedriveRequest request) {
            outcome(queue);
            return status("r-1", queue, request);
        }

        @Override
        public Optional<RedriveStatus> find(String id) {
            return id.equals("r-1") ? Optional.of(status(id, "orders.dlq", RedriveRequest.all())) : Optional.empty();
        }

        @Override
        public List<RedriveStatus> list() {
            return List.of(status("r-1", "orders.dlq", RedriveRequest.all()));
        }

        @Override
        public RedriveStatus cancel(String id) {
            return status(id, "orders.dlq", RedriveRequest.all());
        }
    };

    /** Schemas in memory; writes for the exchanges {@code down} and {@code slow} fail as a lost broker would. */
    private static final class ScriptedSchemaStore implements SchemaStore {
        private final MemorySchemaStore store = new MemorySchemaStore();

        @Override
        public void follow(Listener listener) {
            store.follow(listener);
        }

        @Override
        public CompletableFuture<Void> put(String name, ObjectNode value) {
            return failure(name).orElseGet(() -> store.put(name, value));
        }

        @Override
        public CompletableFuture<Void> delete(String name) {
            return failure(name).orElseGet(() -> store.delete(name));
        }

        private static Optional<CompletableFuture<Void>> failure(String name) {
            if (name.startsWith("[\"down\"")) {
                return Optional.of(CompletableFuture.failedFuture(
                        new BrokerUnavailableException("the definitions are not loaded yet", Duration.ofSeconds(2))));
            }
            if (name.startsWith("[\"slow\"")) {
                return Optional.of(CompletableFuture.failedFuture(
                        new BrokerTimeoutException("written, not seen back in time: read it again")));
            }
            return Optional.empty();
        }
    }

    // --- the instances

    @BeforeAll
    static void start() throws IOException {
        doc = OpenApiDocument.load();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        managementApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        managementApi.createContext("/api/queues/", exchange -> {
            try (exchange) {
                switch (managementMode.get()) {
                    case "slow" -> managementReleased.await(10, TimeUnit.SECONDS); // past the client's timeout
                    case "failing" -> {
                        exchange.sendResponseHeaders(401, -1);
                        return;
                    }
                    default -> {}
                }
                byte[] body = ("[{\"name\":\"orders\",\"type\":\"quorum\",\"durable\":true,\"messages\":3,"
                                + "\"messages_ready\":2,\"messages_unacknowledged\":1,\"consumers\":1,\"state\":"
                                + "\"running\"},{\"name\":\"tmp\",\"durable\":false,\"messages\":0,"
                                + "\"messages_ready\":0,\"messages_unacknowledged\":0,\"consumers\":0}]")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } catch (IOException e) {
                // the service gave up waiting: nothing to answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        managementApi.start();
        main = api(Map.of("METRICS_AUTH", "true"));
        quota = api(Map.of("RATE_LIMIT_PER_SECOND", "1", "RATE_LIMIT_BURST", "1"));
        offline = OfflineApi.start(Map.of());
    }

    private static ApiServer api(Map<String, String> settings) {
        Map<String, String> env = new LinkedHashMap<>(settings);
        env.put("AUTH_MODE", "jwt");
        if (!env.containsKey("JWT_JWKS_URL")) {
            env.put("JWT_SECRET", SECRET);
        }
        env.put("MAX_BODY_SIZE", Integer.toString(MAX_BODY));
        env.put("MAX_BATCH_BODY_SIZE", Integer.toString(MAX_BATCH_BODY));
        env.put("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1");
        ServerConfig config = ServerConfig.from(env);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Depths read as 0: a queue whose depth cannot be read would be forgotten, "watched" among them.
        QueueDepths depths = new QueueDepths(queue -> OptionalLong.of(0), registry, Duration.ofMinutes(1));
        depths.watch("watched");
        QueueTraffic traffic = new QueueTraffic();
        return HttpApi.create(
                        config,
                        Optional.of(new HttpApi.Gateway(
                                TOPOLOGY,
                                traffic.counting(PUBLISHER),
                                PublishMetrics.NO_OP,
                                depths,
                                Optional.of(new ManagementApi(
                                        URI.create("http://127.0.0.1:"
                                                + managementApi.getAddress().getPort()),
                                        "guest",
                                        "guest",
                                        "/",
                                        Duration.ofMillis(700))),
                                TestDelays.scheduling(),
                                Idempotency.create(config.idempotency(), registry),
                                SUBSCRIPTIONS,
                                new MessageSchemas(new ScriptedSchemaStore()),
                                Optional.of(new HttpApi.DeadLetters(DEAD_LETTERS, REDRIVES, traffic)))),
                        new Health(List.of(), "9.9.9-contract"),
                        registry)
                .start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        held.forEach(f -> f.complete(null));
        managementReleased.countDown();
        if (client != null) {
            client.close();
        }
        for (ApiServer s : new ApiServer[] {main, quota}) {
            if (s != null) {
                s.stop();
            }
        }
        if (offline != null) {
            offline.close();
        }
        if (managementApi != null) {
            managementApi.stop(0);
        }
    }

    // --- the routes

    private static Set<Operation> declared(ApiServer server) {
        Set<Operation> ops = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        server.routes().forEach(r -> ops.add(operation(r)));
        return ops;
    }

    /**
     * The document's operation for a route: a route that serves a tree of files ({@code /console/*}) is
     * documented as {@code /console/{path}}, OpenAPI having no wildcards.
     */
    private static Operation operation(HttpApi.DeclaredRoute route) {
        String template = route.template().endsWith("/*")
                ? route.template().substring(0, route.template().length() - 1) + "{path}"
                : route.template();
        return new Operation(route.method(), template);
    }

    @Test
    void everyRouteTheServerDeclaresIsDocumentedAndNothingElse() {
        Set<Operation> documented = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        documented.addAll(doc.operations());

        assertThat(declared(main))
                .as("routes of HttpApi's table (left) against the operations of openapi.yaml")
                .containsExactlyElementsOf(documented);
    }

    @Test
    void eachRouteNeedsTheScopeTheDocumentSays() {
        for (HttpApi.DeclaredRoute route : main.routes()) {
            Operation op = operation(route);
            JsonNode security = doc.operation(op).path("security");
            String expected = route.scope()
                    .map(s -> s == Scope.METRICS_READ
                            ? "[{},{\"bearer\":[\"metrics:read\"]}]"
                            : "[{\"bearer\":[\"" + s.value() + "\"]}]")
                    .orElse("[]");
            assertThat(security.toString()).as("security of %s", op).isEqualTo(expected);
        }
    }

    @Test
    void eachParameterOfARoutesPathIsDocumented() {
        for (HttpApi.DeclaredRoute route : main.routes()) {
            Operation op = operation(route);
            Set<String> inTemplate = new HashSet<>();
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(op.path());
            while (m.find()) {
                inTemplate.add(m.group(1));
            }
            assertThat(doc.pathParameters(op)).as("path parameters of %s", op).isEqualTo(inTemplate);
        }
    }

    @Test
    void theDocumentIsAValidOpenApi31Document() throws IOException {
        JsonNode oas;
        try (InputStream in = getClass().getResourceAsStream("/openapi/oas-3.1-schema.yaml")) {
            oas = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(in);
        }
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(oas.toString(), InputFormat.JSON);
        List<Error> errors = schema.validate(doc.root.toString(), InputFormat.JSON);

        assertThat(errors).as("openapi.yaml against the OpenAPI 3.1 schema").isEmpty();
        assertThat(doc.root.path("openapi").asText()).startsWith("3.1.");
    }

    @Test
    void everySchemaOfTheDocumentCompiles() {
        doc.root
                .path("components")
                .path("schemas")
                .fieldNames()
                .forEachRemaining(name -> assertThat(doc.schema("/components/schemas/" + name))
                        .as(name)
                        .isNotNull());
    }

    @Test
    void theServedDocumentIsTheRepositorysWithTheServiceVersion() throws Exception {
        HttpResponse<byte[]> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + main.port() + "/openapi.json"))
                        .build(),
                BodyHandlers.ofByteArray());

        JsonNode served = JSON.readTree(response.body());
        assertThat(served.path("info").path("version").asText()).isEqualTo("9.9.9-contract");
        ((ObjectNode) served.path("info"))
                .put("version", doc.root.path("info").path("version").asText());
        assertThat(served).isEqualTo(doc.root);
    }

    // --- the answers

    /** One request, and the status it must get. */
    private record Call(
            String label,
            ApiTarget target,
            Operation op,
            String uri,
            String scope,
            String body,
            Map<String, String> headers,
            int expect) {
        /** Idempotency keys belong to the token's subject: the calls with a key share one. */
        String subject() {
            if (headers.containsKey("Idempotency-Key")) {
                return "idempotent-caller";
            }
            return expect == 429 ? "greedy-" + op : "caller-" + subjects.incrementAndGet();
        }
    }

    /** Which instance a call goes to. */
    private enum ApiTarget {
        MAIN,
        QUOTA,
        JWKS,
        OFFLINE
    }

    private static Call call(
            int expect, String label, ApiTarget target, String op, String uri, String scope, String body) {
        String[] parts = op.split(" ", 2);
        return new Call(
                label,
                target,
                new Operation(parts[0], parts[1]),
                uri == null ? parts[1] : uri,
                scope,
                body,
                Map.of(),
                expect);
    }

    private static Call call(int expect, String op, String uri, String scope, String body) {
        return call(expect, op + " " + uri, ApiTarget.MAIN, op, uri, scope, body);
    }

    private static Call withHeaders(Call c, Map<String, String> headers) {
        return new Call(c.label(), c.target(), c.op(), c.uri(), c.scope(), c.body(), headers, c.expect());
    }

    private static String publish(String exchange, String routingKey, String message) {
        return "{\"exchange\":\"" + exchange + "\",\"routingKey\":\"" + routingKey + "\",\"message\":" + message + "}";
    }

    /** Every scenario, in order (some depend on earlier ones: the schema defined before it is used). */
    private static List<Call> scenarios() {
        String pub = "POST /api/v1/publish";
        String batch = "POST /api/v1/publish/batch";
        String big = "{\"name\":\"" + "x".repeat(MAX_BATCH_BODY) + "\"}";
        List<Call> c = new ArrayList<>();

        // Reference and health.
        c.add(call(200, "GET /openapi.json", null, null, null));
        c.add(call(200, "GET /docs", null, null, null));
        c.add(call(200, "GET /docs/{file}", "/docs/swagger-ui.css", null, null));
        c.add(call(200, "GET /docs/{file}", "/docs/docs.js", null, null));
        c.add(call(200, "GET /docs/{file}", "/docs/favicon-32x32.png", null, null));
        c.add(call(404, "GET /docs/{file}", "/docs/secrets.txt", null, null));
        c.add(call(200, "GET /healthz", null, null, null));
        c.add(call(200, "GET /healthz/ready", null, null, null));
        c.add(call(503, "not ready", ApiTarget.OFFLINE, "GET /healthz/ready", null, null, null));
        c.add(call(200, "GET /metrics", null, "metrics:read", null));
        c.add(call(403, "GET /metrics", null, "publish", null));

        // Publish.
        c.add(call(202, pub, null, "publish", publish("events", "ok", "{\"n\":1}")));
        c.add(call(
                202,
                "delayed",
                ApiTarget.MAIN,
                pub,
                null,
                "publish",
                "{\"routingKey\":\"ok\",\"message\":1,"
                        + "\"options\":{\"delay\":60000,\"persistent\":true,\"priority\":3,\"expiration\":\"60000\","
                        + "\"headers\":{\"a\":[1,{\"b\":null}]},\"messageId\":\"m-1\",\"correlationId\":\"c\","
                        + "\"contentType\":\"application/vnd.acme+json\",\"mandatory\":true}}"));
        c.add(call(400, pub, null, "publish", "{\"routingKey\":5}"));
        c.add(call(403, pub, null, "publish:orders", publish("billing", "ok", "1")));
        c.add(call(
                403, "internal exchange", ApiTarget.MAIN, pub, null, "publish", publish("events", "forbidden", "1")));
        c.add(call(404, pub, null, "publish", publish("events", "missing", "1")));
        c.add(call(413, pub, null, "publish", "{\"message\":\"" + "x".repeat(MAX_BODY) + "\"}"));
        c.add(call(422, pub, null, "publish", publish("events", "unroutable", "1")));
        c.add(call(503, pub, null, "publish", publish("events", "down", "1")));
        c.add(call(503, "nacked", ApiTarget.MAIN, pub, null, "publish", publish("events", "nacked", "1")));
        c.add(call(504, pub, null, "publish", publish("events", "slow", "1")));
        c.add(call(500, pub, null, "publish", publish("events", "bug", "1")));
        c.add(withHeaders(
                call(202, "with a key", ApiTarget.MAIN, pub, null, "publish", publish("events", "ok", "2")),
                Map.of(
                        "Idempotency-Key",
                        "\"k-1\"",
                        "traceparent",
                        "00-4bf92f3577b34e4ea0f3a0e3a1b2c3d4-00f067aa0ba902b7-01")));
        c.add(withHeaders(
                call(202, "replayed", ApiTarget.MAIN, pub, null, "publish", publish("events", "ok", "2")),
                Map.of("Idempotency-Key", "\"k-1\"")));
        c.add(withHeaders(
                call(422, "key reused", ApiTarget.MAIN, pub, null, "publish", publish("events", "ok", "3")),
                Map.of("Idempotency-Key", "\"k-1\"")));

        // Batches.
        c.add(call(
                200,
                batch,
                null,
                "publish",
                "{\"messages\":[" + publish("events", "ok", "1") + ","
                        + publish("events", "unroutable", "2")
                        + ",{\"routingKey\":\"ok\",\"message\":3,\"options\":{\"delay\":"
                        + "1000}}]}"));
        c.add(call(400, batch, null, "publish", "{\"messages\":[]}"));
        c.add(call(403, batch, null, "topology:write", "{\"messages\":[]}"));
        c.add(call(413, batch, null, "publish", big));
        c.add(call(503, batch, null, "publish", "{\"messages\":[" + publish("events", "full", "1") + "]}"));
        c.add(withHeaders(
                call(
                        200,
                        "with a key",
                        ApiTarget.MAIN,
                        batch,
                        null,
                        "publish",
                        "{\"messages\":[" + publish("e", "ok", "1") + "]}"),
                Map.of("Idempotency-Key", "\"b-1\"")));
        c.add(withHeaders(
                call(
                        422,
                        "key reused",
                        ApiTarget.MAIN,
                        batch,
                        null,
                        "publish",
                        "{\"messages\":[" + publish("e", "ok", "2") + "]}"),
                Map.of("Idempotency-Key", "\"b-1\"")));

        // Exchanges.
        String ex = "POST /api/v1/exchanges";
        c.add(
                call(
                        201,
                        ex,
                        null,
                        "topology:write",
                        "{\"name\":\"orders\",\"type\":\"topic\",\"options\":{\"durable\":"
                                + "true,\"autoDelete\":false,\"internal\":false,\"alternateExchange\":\"ae\",\"arguments\":{\"x\":1}}}"));
        c.add(call(200, ex, null, "topology:write", "{\"name\":\"existing\",\"type\":\"direct\"}"));
        c.add(call(400, ex, null, "topology:write", "{\"name\":\"\",\"type\":\"nope\"}"));
        c.add(call(
                400,
                "refused",
                ApiTarget.MAIN,
                ex,
                null,
                "topology:write",
                "{\"name\":\"refused\",\"type\":\"direct\"}"));
        c.add(call(403, ex, null, "topology:read", "{\"name\":\"orders\",\"type\":\"topic\"}"));
        c.add(call(
                403,
                "by the broker",
                ApiTarget.MAIN,
                ex,
                null,
                "topology:write",
                "{\"name\":\"forbidden\",\"type\":\"topic\"}"));
        c.add(call(409, ex, null, "topology:write", "{\"name\":\"taken\",\"type\":\"topic\"}"));
        c.add(call(413, ex, null, "topology:write", "{\"name\":\"" + "x".repeat(MAX_BODY) + "\"}"));
        c.add(call(503, ex, null, "topology:write", "{\"name\":\"down\",\"type\":\"topic\"}"));
        c.add(call(504, ex, null, "topology:write", "{\"name\":\"slow\",\"type\":\"topic\"}"));
        String exDel = "DELETE /api/v1/exchanges/{name}";
        c.add(call(204, exDel, "/api/v1/exchanges/orders?ifUnused=true", "topology:write", null));
        c.add(call(400, exDel, "/api/v1/exchanges/orders?ifUnused=maybe", "topology:write", null));
        c.add(call(403, exDel, "/api/v1/exchanges/orders", "publish", null));
        c.add(call(404, exDel, "/api/v1/exchanges/missing", "topology:write", null));
        c.add(call(409, exDel, "/api/v1/exchanges/taken?ifUnused=true", "topology:write", null));
        c.add(call(503, exDel, "/api/v1/exchanges/down", "topology:write", null));
        c.add(call(504, exDel, "/api/v1/exchanges/slow", "topology:write", null));

        // Queues.
        String list = "GET /api/v1/queues";
        c.add(call(200, list, null, "topology:read", null));
        c.add(call(403, list, null, "publish", null));
        c.add(call(501, "no management API", ApiTarget.OFFLINE, list, null, null, null));
        c.add(call(503, "management API refuses", ApiTarget.MAIN, list, null, "topology:read", null));
        c.add(call(504, "management API slow", ApiTarget.MAIN, list, null, "topology:read", null));
        String q = "POST /api/v1/queues";
        c.add(call(
                201,
                q,
                null,
                "topology:write",
                "{\"name\":\"orders\",\"options\":{\"type\":\"quorum\","
                        + "\"durable\":true,\"deadLetterExchange\":\"dlx\",\"deliveryLimit\":5,\"overflow\":\"reject-publish\","
                        + "\"deadLetterStrategy\":\"at-least-once\",\"quorumInitialGroupSize\":3,\"maxLength\":10,"
                        + "\"maxLengthBytes\":1000,\"messageTtl\":60000,\"deadLetterRoutingKey\":\"dead\","
                        + "\"autoDelete\":false,\"arguments\":{}}}"));
        c.add(call(
                200,
                q,
                null,
                "topology:write",
                "{\"name\":\"existing\",\"options\":{\"maxPriority\":5,\"lazy\":true}}"));
        c.add(call(
                400,
                q,
                null,
                "topology:write",
                "{\"name\":\"orders\",\"options\":{\"type\":\"stream\",\"lazy\":true}}"));
        c.add(call(403, q, null, "topology:read", "{\"name\":\"orders\"}"));
        c.add(call(409, q, null, "topology:write", "{\"name\":\"taken\"}"));
        c.add(call(413, q, null, "topology:write", "{\"name\":\"" + "x".repeat(MAX_BODY) + "\"}"));
        c.add(call(503, q, null, "topology:write", "{\"name\":\"down\"}"));
        c.add(call(504, q, null, "topology:write", "{\"name\":\"slow\"}"));
        c.add(call(500, q, null, "topology:write", "{\"name\":\"bug\"}"));
        String get = "GET /api/v1/queues/{name}";
        c.add(call(200, get, "/api/v1/queues/orders", "topology:read", null));
        c.add(call(200, "with topology:write", ApiTarget.MAIN, get, "/api/v1/queues/orders", "topology:write", null));
        c.add(call(400, get, "/api/v1/queues/invalid", "topology:read", null));
        c.add(call(403, get, "/api/v1/queues/orders", "publish", null));
        c.add(call(404, get, "/api/v1/queues/missing", "topology:read", null));
        c.add(call(503, get, "/api/v1/queues/down", "topology:read", null));
        c.add(call(504, get, "/api/v1/queues/slow", "topology:read", null));
        String del = "DELETE /api/v1/queues/{name}";
        c.add(call(200, del, "/api/v1/queues/orders?ifUnused=true&ifEmpty=false", "topology:write", null));
        c.add(call(400, del, "/api/v1/queues/orders?ifEmpty=yes", "topology:write", null));
        c.add(call(403, del, "/api/v1/queues/orders", "topology:read", null));
        c.add(call(404, del, "/api/v1/queues/missing", "topology:write", null));
        c.add(call(409, del, "/api/v1/queues/taken?ifEmpty=true", "topology:write", null));
        c.add(call(503, del, "/api/v1/queues/down", "topology:write", null));
        c.add(call(504, del, "/api/v1/queues/slow", "topology:write", null));
        String purge = "POST /api/v1/queues/{name}/purge";
        c.add(call(200, purge, "/api/v1/queues/orders/purge", "topology:write", null));
        c.add(call(400, purge, "/api/v1/queues/refused/purge", "topology:write", null));
        c.add(call(403, purge, "/api/v1/queues/orders/purge", "topology:read", null));
        c.add(call(404, purge, "/api/v1/queues/missing/purge", "topology:write", null));
        c.add(call(503, purge, "/api/v1/queues/down/purge", "topology:write", null));
        c.add(call(504, purge, "/api/v1/queues/slow/purge", "topology:write", null));

        // Bindings.
        for (String b : new String[] {"POST /api/v1/bindings", "DELETE /api/v1/bindings"}) {
            int ok = b.startsWith("POST") ? 201 : 204;
            c.add(call(
                    ok,
                    b,
                    null,
                    "topology:write",
                    "{\"queue\":\"orders\",\"exchange\":\"events\",\"routingKey\":"
                            + "\"order.*\",\"arguments\":{\"x-match\":\"all\"}}"));
            c.add(call(
                    ok,
                    "without a routing key",
                    ApiTarget.MAIN,
                    b,
                    null,
                    "topology:write",
                    "{\"queue\":\"orders\",\"exchange\":\"events\"}"));
            c.add(call(400, b, null, "topology:write", "{\"queue\":\"orders\"}"));
            c.add(call(403, b, null, "topology:read", "{\"queue\":\"orders\",\"exchange\":\"events\"}"));
            c.add(call(404, b, null, "topology:write", "{\"queue\":\"missing\",\"exchange\":\"events\"}"));
            c.add(call(413, b, null, "topology:write", "{\"queue\":\"" + "x".repeat(MAX_BODY) + "\"}"));
            c.add(call(503, b, null, "topology:write", "{\"queue\":\"down\",\"exchange\":\"events\"}"));
            c.add(call(504, b, null, "topology:write", "{\"queue\":\"slow\",\"exchange\":\"events\"}"));
        }

        // Message schemas, and the publishes they refuse.
        String put = "PUT /api/v1/schemas/{exchange}";
        String schema = "{\"type\":\"object\",\"required\":[\"to\"],\"properties\":{\"to\":{\"type\":\"string\"}}}";
        c.add(call(
                201,
                put,
                "/api/v1/schemas/email",
                "topology:write",
                "{\"routingKey\":\"confirmation\",\"schema\":" + schema + "}"));
        c.add(call(
                200,
                put,
                "/api/v1/schemas/email",
                "topology:write",
                "{\"routingKey\":\"confirmation\",\"schema\":" + schema + "}"));
        c.add(call(
                201,
                "any routing key",
                ApiTarget.MAIN,
                put,
                "/api/v1/schemas/amq.default",
                "topology:write",
                "{\"schema\":{\"type\":\"object\"}}"));
        c.add(call(400, put, "/api/v1/schemas/email", "topology:write", "{\"schema\":{\"type\":5}}"));
        c.add(call(403, put, "/api/v1/schemas/email", "topology:read", "{\"schema\":{}}"));
        c.add(call(
                413,
                put,
                "/api/v1/schemas/email",
                "topology:write",
                "{\"schema\":{\"description\":\"" + "x".repeat(MAX_BODY) + "\"}}"));
        c.add(call(503, put, "/api/v1/schemas/down", "topology:write", "{\"schema\":{}}"));
        c.add(call(504, put, "/api/v1/schemas/slow", "topology:write", "{\"schema\":{}}"));
        c.add(call(
                422,
                "refused by its schema",
                ApiTarget.MAIN,
                pub,
                null,
                "publish",
                publish("email", "confirmation", "{\"subject\":\"Hi\"}")));
        c.add(call(
                202,
                "accepted by its schema",
                ApiTarget.MAIN,
                pub,
                null,
                "publish",
                publish("email", "confirmation", "{\"to\":\"ada@example.com\"}")));
        c.add(call(
                200,
                "an item refused by its schema",
                ApiTarget.MAIN,
                batch,
                null,
                "publish",
                "{\"messages\":[" + publish("email", "confirmation", "{}") + "]}"));
        String getSchema = "GET /api/v1/schemas/{exchange}";
        c.add(call(200, getSchema, "/api/v1/schemas/email?routingKey=confirmation", "topology:read", null));
        c.add(call(200, getSchema, "/api/v1/schemas/amq.default", "topology:read", null));
        c.add(call(400, getSchema, "/api/v1/schemas/email?routingKey=a&routingKey=b", "topology:read", null));
        c.add(call(403, getSchema, "/api/v1/schemas/email", "publish", null));
        c.add(call(404, getSchema, "/api/v1/schemas/email", "topology:read", null));
        c.add(call(200, "GET /api/v1/schemas", null, "topology:read", null));
        c.add(call(403, "GET /api/v1/schemas", null, "publish", null));
        String delSchema = "DELETE /api/v1/schemas/{exchange}";
        c.add(call(204, delSchema, "/api/v1/schemas/amq.default", "topology:write", null));
        c.add(call(400, delSchema, "/api/v1/schemas/email?routingKey=a&routingKey=b", "topology:write", null));
        c.add(call(403, delSchema, "/api/v1/schemas/email", "topology:read", null));
        c.add(call(404, delSchema, "/api/v1/schemas/amq.default", "topology:write", null));
        c.add(call(503, delSchema, "/api/v1/schemas/down", "topology:write", null));
        c.add(call(504, delSchema, "/api/v1/schemas/slow", "topology:write", null));

        // Push subscriptions.
        String subs = "POST /api/v1/subscriptions";
        String sub = "{\"name\":\"%s\",\"queue\":\"orders\",\"endpoint\":\"https://hooks.example.com/orders\","
                + "\"maxAttempts\":6,\"timeoutMs\":5000,\"concurrency\":4,\"headers\":{\"Authorization\":\"Bearer x\"}}";
        c.add(call(200, "GET /api/v1/subscriptions", null, "subscriptions:read", null));
        c.add(call(403, "GET /api/v1/subscriptions", null, "topology:write", null));
        c.add(call(201, subs, null, "subscriptions:write", sub.formatted("orders-hook")));
        c.add(call(400, subs, null, "subscriptions:write", sub.formatted("invalid")));
        c.add(call(403, subs, null, "subscriptions:read", sub.formatted("orders-hook")));
        c.add(call(404, subs, null, "subscriptions:write", sub.formatted("missing")));
        c.add(call(409, subs, null, "subscriptions:write", sub.formatted("taken")));
        c.add(call(413, subs, null, "subscriptions:write", sub.formatted("x".repeat(MAX_BODY))));
        c.add(call(501, subs, null, "subscriptions:write", sub.formatted("nokey")));
        c.add(call(503, subs, null, "subscriptions:write", sub.formatted("down")));
        c.add(call(504, subs, null, "subscriptions:write", sub.formatted("slow")));
        String one = "/api/v1/subscriptions/";
        c.add(call(200, "GET /api/v1/subscriptions/{name}", one + "orders-hook", "subscriptions:read", null));
        c.add(call(
                200,
                "with subscriptions:write",
                ApiTarget.MAIN,
                "GET /api/v1/subscriptions/{name}",
                one + "o",
                "subscriptions:write",
                null));
        c.add(call(403, "GET /api/v1/subscriptions/{name}", one + "orders-hook", "publish", null));
        c.add(call(404, "GET /api/v1/subscriptions/{name}", one + "missing", "subscriptions:read", null));
        String upd = "PUT /api/v1/subscriptions/{name}";
        c.add(call(200, upd, one + "orders-hook", "subscriptions:write", "{\"timeoutMs\":2000}"));
        c.add(call(
                200,
                "a new secret",
                ApiTarget.MAIN,
                upd,
                one + "orders-hook",
                "subscriptions:write",
                "{\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}"));
        c.add(call(400, upd, one + "orders-hook", "subscriptions:write", "{\"timeoutMs\":\"soon\"}"));
        c.add(call(403, upd, one + "orders-hook", "subscriptions:read", "{}"));
        c.add(call(404, upd, one + "missing", "subscriptions:write", "{}"));
        c.add(call(409, upd, one + "taken", "subscriptions:write", "{}"));
        c.add(call(
                413,
                upd,
                one + "orders-hook",
                "subscriptions:write",
                "{\"endpoint\":\"" + "x".repeat(MAX_BODY) + "\"}"));
        c.add(call(501, upd, one + "nokey", "subscriptions:write", "{}"));
        c.add(call(503, upd, one + "down", "subscriptions:write", "{}"));
        c.add(call(504, upd, one + "slow", "subscriptions:write", "{}"));
        String rm = "DELETE /api/v1/subscriptions/{name}";
        c.add(call(204, rm, one + "orders-hook", "subscriptions:write", null));
        c.add(call(403, rm, one + "orders-hook", "subscriptions:read", null));
        c.add(call(404, rm, one + "missing", "subscriptions:write", null));
        c.add(call(503, rm, one + "down", "subscriptions:write", null));
        c.add(call(504, rm, one + "slow", "subscriptions:write", null));
        for (String action : new String[] {"pause", "resume"}) {
            String op = "POST /api/v1/subscriptions/{name}/" + action;
            c.add(call(200, op, one + "orders-hook/" + action, "subscriptions:write", null));
            c.add(call(403, op, one + "orders-hook/" + action, "subscriptions:read", null));
            c.add(call(404, op, one + "missing/" + action, "subscriptions:write", null));
            c.add(call(409, op, one + "taken/" + action, "subscriptions:write", null));
            c.add(call(503, op, one + "down/" + action, "subscriptions:write", null));
            c.add(call(504, op, one + "slow/" + action, "subscriptions:write", null));
        }

        // Dead letters, redrives and the console.
        String look = "GET /api/v1/queues/{name}/messages";
        c.add(call(200, look, "/api/v1/queues/orders.dlq/messages?limit=5", "topology:read", null));
        c.add(call(400, look, "/api/v1/queues/orders.dlq/messages?limit=0", "topology:read", null));
        c.add(call(403, look, "/api/v1/queues/orders.dlq/messages", "publish", null));
        c.add(call(404, look, "/api/v1/queues/missing/messages", "topology:read", null));
        c.add(call(503, look, "/api/v1/queues/down/messages", "topology:read", null));
        c.add(call(504, look, "/api/v1/queues/slow/messages", "topology:read", null));
        String redrive = "POST /api/v1/queues/{name}/redrive";
        c.add(call(202, redrive, "/api/v1/queues/orders.dlq/redrive", "topology:write", null));
        c.add(call(
                202,
                "every field",
                ApiTarget.MAIN,
                redrive,
                "/api/v1/queues/orders.dlq/redrive",
                "topology:write",
                "{\"limit\":10,\"ratePerSecond\":50,\"destination\":{\"exchange\":\"\",\"routingKey\":\"orders\"}}"));
        c.add(call(400, redrive, "/api/v1/queues/orders.dlq/redrive", "topology:write", "{\"limit\":0}"));
        c.add(call(403, redrive, "/api/v1/queues/orders.dlq/redrive", "topology:read", "{}"));
        c.add(call(404, redrive, "/api/v1/queues/missing/redrive", "topology:write", "{}"));
        c.add(call(409, redrive, "/api/v1/queues/taken/redrive", "topology:write", "{}"));
        c.add(call(
                413,
                redrive,
                "/api/v1/queues/orders.dlq/redrive",
                "topology:write",
                "{\"destination\":{\"exchange\":\"" + "x".repeat(MAX_BODY) + "\",\"routingKey\":\"\"}}"));
        c.add(call(503, redrive, "/api/v1/queues/down/redrive", "topology:write", "{}"));
        c.add(call(504, redrive, "/api/v1/queues/slow/redrive", "topology:write", "{}"));
        String deadLetters = "GET /api/v1/deadletters";
        c.add(call(200, deadLetters, null, "topology:read", null));
        c.add(call(403, deadLetters, null, "publish", null));
        c.add(call(503, "management API down", ApiTarget.MAIN, deadLetters, null, "topology:read", null));
        c.add(call(504, "management API slow", ApiTarget.MAIN, deadLetters, null, "topology:read", null));
        c.add(call(200, "GET /api/v1/redrives", null, "topology:read", null));
        c.add(call(403, "GET /api/v1/redrives", null, "publish", null));
        c.add(call(200, "GET /api/v1/redrives/{id}", "/api/v1/redrives/r-1", "topology:read", null));
        c.add(call(403, "GET /api/v1/redrives/{id}", "/api/v1/redrives/r-1", "publish", null));
        c.add(call(404, "GET /api/v1/redrives/{id}", "/api/v1/redrives/r-0", "topology:read", null));
        c.add(call(202, "DELETE /api/v1/redrives/{id}", "/api/v1/redrives/r-1", "topology:write", null));
        c.add(call(403, "DELETE /api/v1/redrives/{id}", "/api/v1/redrives/r-1", "topology:read", null));
        c.add(call(404, "DELETE /api/v1/redrives/{id}", "/api/v1/redrives/r-0", "topology:write", null));
        String stats = "GET /api/v1/stats";
        c.add(call(200, stats, null, "topology:read", null));
        c.add(call(403, stats, null, "publish", null));
        c.add(call(503, "management API down", ApiTarget.MAIN, stats, null, "topology:read", null));
        c.add(call(504, "management API slow", ApiTarget.MAIN, stats, null, "topology:read", null));
        c.add(call(301, "GET /console", null, null, null));
        c.add(call(200, "the page", ApiTarget.MAIN, "GET /console", "/console/", null, null));
        c.add(call(200, "GET /console/{path}", "/console/console.js", null, null));
        c.add(call(200, "GET /console/{path}", "/console/console.css", null, null));
        c.add(call(200, "GET /console/{path}", "/console/index.html", null, null));
        c.add(call(404, "GET /console/{path}", "/console/secrets.txt", null, null));

        // What every route with a scope answers: 401 without a token, 429 past the quota, 503 while keys cannot
        // be fetched (the body, when the route takes one, is never read then).
        for (HttpApi.DeclaredRoute r : main.routes()) {
            if (r.scope().isEmpty()) {
                continue;
            }
            String op = r.method() + " " + r.template();
            String uri = r.template().replaceAll("\\{\\w+}", "orders");
            c.add(call(401, "no token", ApiTarget.MAIN, op, uri, null, null));
            c.add(call(503, "keys unavailable", ApiTarget.JWKS, op, uri, "x", null));
            if (r.scope().get() != Scope.METRICS_READ) {
                c.add(call(429, "over the quota", ApiTarget.QUOTA, op, uri, "greedy", null));
            }
        }
        return c;
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedAnswerOfEveryRouteIsGivenAndMatchesTheDocument() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Call c : scenarios()) {
            tests.add(DynamicTest.dynamicTest(c.expect() + " " + c.op() + ": " + c.label(), () -> run(c)));
        }
        tests.add(DynamicTest.dynamicTest("409 while the same Idempotency-Key is in flight", this::inFlight));
        tests.add(DynamicTest.dynamicTest("every documented status was seen", this::everyStatusSeen));
        return tests.stream();
    }

    private void run(Call c) throws Exception {
        if (c.label().startsWith("management API")) {
            managementMode.set(c.label().endsWith("slow") ? "slow" : "failing");
        }
        // With a JWK set that cannot be fetched, each instance's first token check is a 503 (later ones, within
        // JWT_JWKS_REFRESH_INTERVAL, are not fetched again): one instance per call.
        ApiServer keysDown = c.target() == ApiTarget.JWKS
                ? api(Map.of("JWT_JWKS_URL", "http://127.0.0.1:1/jwks", "METRICS_AUTH", "true"))
                : null;
        try {
            if (c.expect() == 429) {
                send(c); // takes the one request of the second
            }
            HttpResponse<byte[]> response = send(c, keysDown);
            checked(c, response);
        } finally {
            if (keysDown != null) {
                keysDown.stop();
            }
            managementMode.set("ok");
            managementReleased.countDown();
            managementReleased = new CountDownLatch(1);
        }
    }

    private static void checked(Call c, HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertThat(response.statusCode()).as("%s answered %s", c.op(), body).isEqualTo(c.expect());
        assertThat(doc.check(c.op(), response))
                .as("%s %s: %s", c.op(), c.expect(), body)
                .isEmpty();
        if (c.expect() < 300 && c.body() != null) {
            assertThat(doc.checkRequest(c.op(), c.body()))
                    .as("the document refuses a request the server accepted: %s", c.body())
                    .isEmpty();
        }
        seen.computeIfAbsent(c.op(), k -> ConcurrentHashMap.newKeySet()).add(c.expect());
    }

    /** A retry with the same key while the first request waits for its confirm. */
    private void inFlight() throws Exception {
        for (String op : new String[] {"POST /api/v1/publish", "POST /api/v1/publish/batch"}) {
            String message = publish("events", "hold", "1");
            String body = op.endsWith("batch") ? "{\"messages\":[" + message + "]}" : message;
            Call first = withHeaders(
                    call(op.endsWith("batch") ? 200 : 202, "first", ApiTarget.MAIN, op, null, "publish", body),
                    Map.of("Idempotency-Key", "\"held-" + op.length() + "\""));
            int before = held.size();
            CompletableFuture<HttpResponse<byte[]>> answer = sendAsync(first);
            await().atMost(Duration.ofSeconds(5)).until(() -> held.size() > before);

            checked(
                    new Call("again", ApiTarget.MAIN, first.op(), first.uri(), "publish", body, first.headers(), 409),
                    send(withHeaders(first, first.headers())));

            held.forEach(f -> f.complete(null));
            checked(first, answer.get());
        }
    }

    private void everyStatusSeen() {
        Map<Operation, Set<Integer>> missing = new LinkedHashMap<>();
        for (Operation op : doc.operations()) {
            Set<Integer> notSeen = new TreeSet<>(doc.statuses(op));
            notSeen.removeAll(seen.getOrDefault(op, Set.of()));
            if (!notSeen.isEmpty()) {
                missing.put(op, notSeen);
            }
        }
        assertThat(missing).as("documented answers no scenario produced").isEmpty();
    }

    // --- HTTP

    private static ApiServerTarget target(ApiTarget t, ApiServer keysDown) {
        return switch (t) {
            case MAIN -> new ApiServerTarget("http://127.0.0.1:" + main.port(), false);
            case QUOTA -> new ApiServerTarget("http://127.0.0.1:" + quota.port(), false);
            case JWKS -> new ApiServerTarget("http://127.0.0.1:" + keysDown.port(), true);
            case OFFLINE -> new ApiServerTarget(offline.base(), false);
        };
    }

    private record ApiServerTarget(String base, boolean rsa) {}

    private static HttpRequest request(Call c, ApiServer keysDown) {
        ApiServerTarget t = target(c.target(), keysDown);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.base() + c.uri()))
                .timeout(Duration.ofSeconds(10))
                .method(
                        c.op().method(),
                        c.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(c.body()));
        if (c.body() != null) {
            b.header("Content-Type", "application/json");
        }
        if (c.scope() != null) {
            var claims = TestTokens.claims(c.subject(), c.scope()).build();
            String token = t.rsa()
                    ? TestTokens.sign(
                            new JWSHeader.Builder(JWSAlgorithm.RS256)
                                    .keyID("k1")
                                    .build(),
                            claims,
                            JWKS_KEYS.getPrivate())
                    : TestTokens.hs256(SECRET, claims);
            b.header("Authorization", "Bearer " + token);
        }
        c.headers().forEach(b::header);
        return b.build();
    }

    private static HttpResponse<byte[]> send(Call c) throws IOException, InterruptedException {
        return send(c, null);
    }

    private static HttpResponse<byte[]> send(Call c, ApiServer keysDown) throws IOException, InterruptedException {
        return client.send(request(c, keysDown), BodyHandlers.ofByteArray());
    }

    private static CompletableFuture<HttpResponse<byte[]>> sendAsync(Call c) {
        return client.sendAsync(request(c, null), BodyHandlers.ofByteArray());
    }
}
