package io.queueservice.server.api;

import static io.queueservice.server.api.Routes.Threading.EVENT_LOOP;
import static io.queueservice.server.api.Routes.Threading.WORKER;
import static io.queueservice.server.security.Scope.METRICS_READ;
import static io.queueservice.server.security.Scope.SUBSCRIPTIONS_READ;
import static io.queueservice.server.security.Scope.SUBSCRIPTIONS_WRITE;
import static io.queueservice.server.security.Scope.TOPOLOGY_READ;
import static io.queueservice.server.security.Scope.TOPOLOGY_WRITE;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.queueservice.broker.ManagementApi;
import io.queueservice.broker.TopologyOperations;
import io.queueservice.deadletters.DeadLetterOperations;
import io.queueservice.metrics.PublishMetrics;
import io.queueservice.metrics.QueueDepths;
import io.queueservice.publish.Publisher;
import io.queueservice.redrive.RedriveOperations;
import io.queueservice.server.Health;
import io.queueservice.server.ServerConfig;
import io.queueservice.server.api.Routes.Body;
import io.queueservice.server.idempotency.Idempotency;
import io.queueservice.server.push.SubscriptionOperations;
import io.queueservice.server.schemas.MessageSchemas;
import io.queueservice.server.security.AccessControl;
import io.queueservice.server.security.Scope;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Optional;

/**
 * The HTTP API: every route in one table, one error mapper, one JSON configuration.
 *
 * <p>It runs on Vert.x: one event loop serves every connection, reads and answers requests, and hands
 * publishes to the publisher without waiting; the answer is written on the same event loop when the
 * broker's confirm comes. Routes that wait for the broker (topology operations) or for the network (a JWK
 * set fetch) run on worker threads instead, so the event loop never blocks.
 *
 * <p>Around the table: {@link ApiRouter} sets up what every request goes through before its route, {@link
 * Routes} what one line of the table puts on the router, and {@link ApiServer} the server the router runs in.
 */
public final class HttpApi {
    private HttpApi() {}

    /**
     * What the {@code /api/v1} routes work with; a worker-only process has none.
     *
     * @param publishMetrics where publish requests refused before reaching the publisher are counted
     * @param queueDepths reports the depth of the queues declared through the API
     * @param management lists the queues of the virtual host; empty when RABBITMQ_MANAGEMENT_URL is not set
     * @param delays schedules publishes with {@code options.delay}
     * @param idempotency keeps the answers of publishes with an {@code Idempotency-Key}
     * @param subscriptions push subscriptions
     * @param schemas the message schemas publishes are checked against
     * @param deadLetters dead-letter queues and redrives, and the console; empty: none of their routes
     */
    public record Gateway(
            TopologyOperations topology,
            Publisher publisher,
            PublishMetrics publishMetrics,
            QueueDepths queueDepths,
            Optional<ManagementApi> management,
            Delays delays,
            Idempotency idempotency,
            SubscriptionOperations subscriptions,
            MessageSchemas schemas,
            Optional<DeadLetters> deadLetters) {

        /** Without dead letters, redrives nor console. */
        public Gateway(
                TopologyOperations topology,
                Publisher publisher,
                PublishMetrics publishMetrics,
                QueueDepths queueDepths,
                Optional<ManagementApi> management,
                Delays delays,
                Idempotency idempotency,
                SubscriptionOperations subscriptions,
                MessageSchemas schemas) {
            this(
                    topology,
                    publisher,
                    publishMetrics,
                    queueDepths,
                    management,
                    delays,
                    idempotency,
                    subscriptions,
                    schemas,
                    Optional.empty());
        }
    }

    /**
     * What the dead-letter, redrive and console routes work with.
     *
     * @param traffic the service's own publish figures, for the console's rates
     */
    public record DeadLetters(DeadLetterOperations catalog, RedriveOperations redrives, QueueTraffic traffic) {}

    /**
     * A route of the table, as declared: what {@link ApiServer#routes()} lists (the OpenAPI document must
     * describe each, and nothing else).
     *
     * @param method {@code GET}, {@code POST}, ...
     * @param template the path, with {@code {name}} for a parameter
     * @param scope what the caller's token needs; empty for a route open to all
     */
    public record DeclaredRoute(String method, String template, Optional<Scope> scope) {}

    /** The HTTP server, not started: health and metrics always, the API when there is a {@code gateway}. */
    public static ApiServer create(
            ServerConfig config, Optional<Gateway> gateway, Health health, PrometheusMeterRegistry registry) {
        Vertx vertx = ApiServer.newVertx();
        Router router = ApiRouter.create(vertx, registry);
        Routes routes = new Routes(router, new AccessControl(config.security(), registry));

        Body json = Body.json(config.maxBodyBytes(), "MAX_BODY_SIZE");
        Body noBody = Body.NONE;
        HealthHandler status = new HealthHandler(health, registry);
        routes.addOpen(GET, "/healthz", status::live);
        routes.addOpen(GET, "/healthz/ready", status::ready);
        // Open unless METRICS_AUTH=true; a scrape takes a few milliseconds, not for the event loop.
        routes.add(GET, "/metrics", METRICS_READ, noBody, WORKER, status::metrics);

        gateway.ifPresent(g -> {
            // The reference: the OpenAPI document and Swagger UI, open to all like the health checks.
            ApiDocs docs = new ApiDocs(health.version());
            routes.addOpen(GET, "/openapi.json", WORKER, docs::document);
            routes.addOpen(GET, "/docs", WORKER, docs::page);
            routes.addOpen(GET, "/docs/{file}", WORKER, docs::asset);

            Publishing publishing = new Publishing(routes.access(), g.delays(), g.publishMetrics(), g.schemas());
            PublishHandler publish = new PublishHandler(g.publisher(), publishing);
            BatchPublishHandler batch = new BatchPublishHandler(
                    g.publisher(), publishing, config.batch().maxMessages());
            IdempotencyStep idempotent = new IdempotencyStep(g.idempotency());
            TopologyHandler topo = new TopologyHandler(g.topology(), g.queueDepths(), g.management());

            // PUBLISH: 'publish' or 'publish:<exchange>', the exchange checked once the body is read.
            Body batchJson = Body.json(config.batch().maxBodyBytes(), "MAX_BATCH_BODY_SIZE");
            routes.addPublish("/api/v1/publish", json, idempotent, publish::publish);
            routes.addPublish("/api/v1/publish/batch", batchJson, idempotent, batch::publish);

            routes.add(POST, "/api/v1/exchanges", TOPOLOGY_WRITE, json, WORKER, topo::declareExchange);
            routes.add(DELETE, "/api/v1/exchanges/{name}", TOPOLOGY_WRITE, noBody, WORKER, topo::deleteExchange);

            routes.add(GET, "/api/v1/queues", TOPOLOGY_READ, noBody, WORKER, topo::listQueues);
            routes.add(POST, "/api/v1/queues", TOPOLOGY_WRITE, json, WORKER, topo::declareQueue);
            routes.add(GET, "/api/v1/queues/{name}", TOPOLOGY_READ, noBody, WORKER, topo::getQueue);
            routes.add(DELETE, "/api/v1/queues/{name}", TOPOLOGY_WRITE, noBody, WORKER, topo::deleteQueue);
            routes.add(POST, "/api/v1/queues/{name}/purge", TOPOLOGY_WRITE, noBody, WORKER, topo::purgeQueue);

            routes.add(POST, "/api/v1/bindings", TOPOLOGY_WRITE, json, WORKER, topo::bind);
            routes.add(DELETE, "/api/v1/bindings", TOPOLOGY_WRITE, json, WORKER, topo::unbind);

            SubscriptionHandler subs = new SubscriptionHandler(g.subscriptions());
            routes.add(GET, "/api/v1/subscriptions", SUBSCRIPTIONS_READ, noBody, WORKER, subs::list);
            routes.add(POST, "/api/v1/subscriptions", SUBSCRIPTIONS_WRITE, json, WORKER, subs::create);
            routes.add(GET, "/api/v1/subscriptions/{name}", SUBSCRIPTIONS_READ, noBody, WORKER, subs::get);
            routes.add(PUT, "/api/v1/subscriptions/{name}", SUBSCRIPTIONS_WRITE, json, WORKER, subs::update);
            routes.add(DELETE, "/api/v1/subscriptions/{name}", SUBSCRIPTIONS_WRITE, noBody, WORKER, subs::delete);
            routes.add(POST, "/api/v1/subscriptions/{name}/pause", SUBSCRIPTIONS_WRITE, noBody, WORKER, subs::pause);
            routes.add(POST, "/api/v1/subscriptions/{name}/resume", SUBSCRIPTIONS_WRITE, noBody, WORKER, subs::resume);

            // Message schemas: reads from memory on the event loop, writes wait for the schema store.
            SchemaHandler schemas = new SchemaHandler(g.schemas());
            routes.add(GET, "/api/v1/schemas", TOPOLOGY_READ, noBody, EVENT_LOOP, schemas::list);
            routes.add(GET, "/api/v1/schemas/{exchange}", TOPOLOGY_READ, noBody, EVENT_LOOP, schemas::get);
            routes.add(PUT, "/api/v1/schemas/{exchange}", TOPOLOGY_WRITE, json, WORKER, schemas::put);
            routes.add(DELETE, "/api/v1/schemas/{exchange}", TOPOLOGY_WRITE, noBody, WORKER, schemas::delete);

            // Dead letters, redrives and the operator console (docs/dead-letters.md, docs/console.md).
            g.deadLetters().ifPresent(d -> {
                DeadLetterHandler dead = new DeadLetterHandler(d.catalog());
                RedriveHandler redrive = new RedriveHandler(d.redrives());
                StatsHandler stats = new StatsHandler(g.topology(), g.queueDepths(), registry, d.traffic());
                routes.add(GET, "/api/v1/deadletters", TOPOLOGY_READ, noBody, WORKER, dead::list);
                routes.add(GET, "/api/v1/queues/{name}/messages", TOPOLOGY_READ, noBody, WORKER, dead::peek);
                routes.add(POST, "/api/v1/queues/{name}/redrive", TOPOLOGY_WRITE, json, WORKER, redrive::start);
                routes.add(GET, "/api/v1/redrives", TOPOLOGY_READ, noBody, EVENT_LOOP, redrive::list);
                routes.add(GET, "/api/v1/redrives/{id}", TOPOLOGY_READ, noBody, EVENT_LOOP, redrive::get);
                routes.add(DELETE, "/api/v1/redrives/{id}", TOPOLOGY_WRITE, noBody, EVENT_LOOP, redrive::cancel);
                routes.add(GET, "/api/v1/stats", TOPOLOGY_READ, noBody, WORKER, stats::stats);
                Console console = new Console();
                routes.addOpen(GET, "/console", console::redirect);
                routes.addOpen(GET, "/console/*", console::serve);
            });
        });

        return ApiServer.create(vertx, router, config, routes.declared());
    }
}
