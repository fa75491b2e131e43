package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.server.security.TestTokens;
import io.queueservice.testing.SharedBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint with every scope, against the real service and broker (AUTH_MODE=jwt, METRICS_AUTH=true):
 * the request is carried out exactly when the token has the scope, and is otherwise answered 403 naming
 * the scope, with nothing changed on the broker. Health stays open to all, even without a token.
 */
class ScopeMatrixIT {
    private static final String SECRET = "scope-matrix-secret-of-at-least-32-bytes";
    private static final String NO_TOKEN = "(no token)";
    private static final String NO_SCOPE = "(no scope)";
    /** "publish:X" stands for publish:<the exchange the request publishes to>. */
    private static final String PUBLISH_X = "publish:X";

    private static final List<String> SCOPES = List.of(
            NO_TOKEN,
            NO_SCOPE,
            "publish",
            PUBLISH_X,
            "publish:other",
            "topology:read",
            "topology:write",
            "metrics:read");

    private static RunningService service;
    private static BrokerProbe broker;
    private static ApiClient admin;

    /** One request, made on fresh resources: an exchange bound to a queue holding one message. */
    record Resources(String exchange, String queue) {}

    enum Endpoint {
        PUBLISH(
                Set.of("publish", PUBLISH_X),
                (api, r) -> api.publish(
                        json(Map.of("exchange", r.exchange(), "routingKey", r.queue(), "message", Map.of("n", 1))))),
        DECLARE_EXCHANGE(
                Set.of("topology:write"),
                (api, r) ->
                        api.post("/api/v1/exchanges", json(Map.of("name", r.exchange() + ".new", "type", "fanout")))),
        DELETE_EXCHANGE(Set.of("topology:write"), (api, r) -> api.delete("/api/v1/exchanges/" + r.exchange())),
        // No RABBITMQ_MANAGEMENT_URL here: once through authorisation, the listing answers 501.
        LIST_QUEUES(Set.of("topology:read", "topology:write"), (api, r) -> api.get("/api/v1/queues")),
        DECLARE_QUEUE(
                Set.of("topology:write"),
                (api, r) -> api.post("/api/v1/queues", json(Map.of("name", r.queue() + ".new")))),
        GET_QUEUE(Set.of("topology:read", "topology:write"), (api, r) -> api.get("/api/v1/queues/" + r.queue())),
        DELETE_QUEUE(Set.of("topology:write"), (api, r) -> api.delete("/api/v1/queues/" + r.queue())),
        PURGE_QUEUE(Set.of("topology:write"), (api, r) -> api.post("/api/v1/queues/" + r.queue() + "/purge", "")),
        BIND(
                Set.of("topology:write"),
                (api, r) -> api.post(
                        "/api/v1/bindings",
                        json(Map.of("queue", r.queue(), "exchange", r.exchange(), "routingKey", "more")))),
        UNBIND(
                Set.of("topology:write"),
                (api, r) -> api.delete(
                        "/api/v1/bindings",
                        json(Map.of("queue", r.queue(), "exchange", r.exchange(), "routingKey", r.queue())))),
        METRICS(Set.of("metrics:read"), (api, r) -> api.get("/metrics")),
        LIVENESS(null, (api, r) -> api.get("/healthz")),
        READINESS(null, (api, r) -> api.get("/healthz/ready"));

        /** The scopes that allow it; null: open to everyone. */
        final Set<String> allowedBy;

        final BiFunction<ApiClient, Resources, Response> call;

        Endpoint(Set<String> allowedBy, BiFunction<ApiClient, Resources, Response> call) {
            this.allowedBy = allowedBy;
            this.call = call;
        }
    }

    @BeforeAll
    static void start() {
        broker = new BrokerProbe(SharedBroker.url());
        service = RunningService.start(
                SharedBroker.url(), Map.of("AUTH_MODE", "jwt", "JWT_SECRET", SECRET, "METRICS_AUTH", "true"));
        admin = service.api()
                .withToken(TestTokens.hs256(
                        SECRET,
                        TestTokens.claims("admin", "publish topology:write").build()));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> service.api().get("/healthz/ready").status() == 200);
    }

    @AfterAll
    static void stop() {
        service.close();
        broker.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Endpoint e : Endpoint.values()) {
            for (String scope : SCOPES) {
                all.add(Arguments.of(e, scope));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void eachEndpointIsAllowedExactlyByItsScopes(Endpoint endpoint, String scope) {
        Resources r = new Resources(broker.exchange(uniqueName("scopes-ex")), broker.queue(uniqueName("scopes-q")));
        broker.exchange(r.exchange() + ".new");
        broker.queue(r.queue() + ".new");
        assertThat(admin.post("/api/v1/exchanges", json(Map.of("name", r.exchange(), "type", "direct")))
                        .status())
                .isEqualTo(201);
        assertThat(admin.post("/api/v1/queues", json(Map.of("name", r.queue()))).status())
                .isEqualTo(201);
        assertThat(admin.post(
                                "/api/v1/bindings",
                                json(Map.of("queue", r.queue(), "exchange", r.exchange(), "routingKey", r.queue())))
                        .status())
                .isEqualTo(201);
        assertThat(admin.publish(json(Map.of("exchange", "", "routingKey", r.queue(), "message", "seed")))
                        .status())
                .isEqualTo(202);

        ApiClient caller = switch (scope) {
            case NO_TOKEN -> service.api();
            case NO_SCOPE ->
                service.api()
                        .withToken(TestTokens.hs256(
                                SECRET, TestTokens.claims("caller", null).build()));
            default ->
                service.api()
                        .withToken(TestTokens.hs256(
                                SECRET,
                                TestTokens.claims("caller", scope.equals(PUBLISH_X) ? "publish:" + r.exchange() : scope)
                                        .build()));
        };
        Response response = endpoint.call.apply(caller, r);

        boolean open = endpoint.allowedBy == null;
        if (open || endpoint.allowedBy.contains(scope)) {
            int expected = endpoint == Endpoint.LIST_QUEUES ? 501 : -1;
            if (expected > 0) {
                assertThat(response.status()).as(response.body()).isEqualTo(expected);
            } else {
                assertThat(response.status()).as(response.body()).isBetween(200, 299);
            }
        } else if (scope.equals(NO_TOKEN)) {
            assertThat(response.status()).as(response.body()).isEqualTo(401);
            assertThat(response.header("WWW-Authenticate")).contains("Bearer realm=\"queue-service\"");
            assertUnchanged(endpoint, r);
        } else {
            assertThat(response.status()).as(response.body()).isEqualTo(403);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.problem().type()).isEqualTo("urn:queue-service:problem:insufficient-scope");
            String needed = endpoint == Endpoint.PUBLISH
                    ? "publish"
                    : endpoint.allowedBy.contains("topology:read")
                            ? "topology:read"
                            : endpoint.allowedBy.iterator().next();
            assertThat(response.problem().detail()).contains("'" + needed + "'");
            assertThat(response.header("WWW-Authenticate"))
                    .hasValueSatisfying(h -> assertThat(h).contains("error=\"insufficient_scope\"", "scope=\""));
            assertUnchanged(endpoint, r);
        }
    }

    /** A refused request changed nothing on the broker. */
    private static void assertUnchanged(Endpoint endpoint, Resources r) {
        switch (endpoint) {
            case PUBLISH, PURGE_QUEUE -> assertThat(broker.depth(r.queue())).isEqualTo(1);
            case DECLARE_EXCHANGE ->
                assertThat(broker.exchangeExists(r.exchange() + ".new")).isFalse();
            case DELETE_EXCHANGE ->
                assertThat(broker.exchangeExists(r.exchange())).isTrue();
            case DECLARE_QUEUE ->
                assertThat(broker.queueExists(r.queue() + ".new")).isFalse();
            case DELETE_QUEUE -> assertThat(broker.queueExists(r.queue())).isTrue();
            case UNBIND -> {
                // still bound: a message published to the exchange reaches the queue
                assertThat(admin.publish(json(Map.of("exchange", r.exchange(), "routingKey", r.queue(), "message", 2)))
                                .status())
                        .isEqualTo(202);
            }
            default -> {}
        }
    }
}
