package io.queueservice.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.deadletters.BrokerDirectory;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The RabbitMQ management HTTP API, for what AMQP cannot tell: the list of queues of the virtual host
 * with their depth and consumers. Uses the credentials of {@code RABBITMQ_URL} (the user needs the
 * {@code monitoring} or {@code management} tag).
 */
public final class ManagementApi implements BrokerDirectory {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    /** One queue as the management API reports it. */
    public record QueueSummary(
            String name,
            String type,
            boolean durable,
            long messages,
            long messagesReady,
            long messagesUnacknowledged,
            long consumers,
            String state) {}

    private final URI queuesUri;
    private final String root;
    /** The virtual host's name, URL-encoded. */
    private final String vhost;

    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    /** @param base e.g. {@code http://localhost:15672} */
    public ManagementApi(URI base, String user, String password, String virtualHost, Duration timeout) {
        String root = base.toString().replaceAll("/+$", "");
        String vhost = URLEncoder.encode(virtualHost, StandardCharsets.UTF_8);
        this.queuesUri = URI.create(root + "/api/queues/" + vhost
                + "?columns=name,type,durable,messages,messages_ready,messages_unacknowledged,consumers,state");
        this.root = root;
        this.vhost = vhost;
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * The queues of the virtual host.
     *
     * @throws BrokerUnavailableException when the management API cannot be reached or refuses the request
     * @throws BrokerTimeoutException when it does not answer in time
     */
    public List<QueueSummary> queues() {
        JsonNode body = get(queuesUri);
        List<QueueSummary> queues = new ArrayList<>();
        for (JsonNode q : body) {
            queues.add(new QueueSummary(
                    q.path("name").asText(),
                    q.path("type").asText("classic"),
                    q.path("durable").asBoolean(),
                    q.path("messages").asLong(),
                    q.path("messages_ready").asLong(),
                    q.path("messages_unacknowledged").asLong(),
                    q.path("consumers").asLong(),
                    q.path("state").asText(null)));
        }
        return queues;
    }

    /**
     * The queues of the virtual host with where they dead-letter (their arguments, else their policy's), its
     * exchanges and its bindings: three requests.
     *
     * @throws BrokerUnavailableException when the management API cannot be reached or refuses the request
     * @throws BrokerTimeoutException when it does not answer in time
     */
    @Override
    public Snapshot read() {
        List<QueueEntry> queues = new ArrayList<>();
        for (JsonNode q : get(URI.create(perVhost("queues") + "?columns=name,arguments,effective_policy_definition"))) {
            JsonNode args = q.path("arguments");
            JsonNode policy = q.path("effective_policy_definition");
            queues.add(new QueueEntry(
                    q.path("name").asText(),
                    text(args, "x-dead-letter-exchange").or(() -> text(policy, "dead-letter-exchange")),
                    text(args, "x-dead-letter-routing-key").or(() -> text(policy, "dead-letter-routing-key"))));
        }
        List<ExchangeEntry> exchanges = new ArrayList<>();
        for (JsonNode e : get(URI.create(perVhost("exchanges") + "?columns=name,type"))) {
            exchanges.add(
                    new ExchangeEntry(e.path("name").asText(), e.path("type").asText("direct")));
        }
        List<BindingEntry> bindings = new ArrayList<>();
        for (JsonNode b : get(URI.create(perVhost("bindings")))) {
            bindings.add(new BindingEntry(
                    b.path("source").asText(),
                    b.path("destination").asText(),
                    "exchange".equals(b.path("destination_type").asText()),
                    b.path("routing_key").asText("")));
        }
        return new Snapshot(queues, exchanges, bindings);
    }

    /** {@code <root>/api/<what>/<vhost>}. */
    private String perVhost(String what) {
        return root + "/api/" + what + "/" + vhost;
    }

    private static Optional<String> text(JsonNode object, String field) {
        JsonNode v = object.path(field);
        return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }

    private JsonNode get(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new BrokerTimeoutException("the RabbitMQ management API did not answer in time");
        } catch (IOException e) {
            throw new BrokerUnavailableException("the RabbitMQ management API cannot be reached", RETRY_AFTER, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrokerUnavailableException("interrupted while asking the management API", RETRY_AFTER, e);
        }
        if (response.statusCode() != 200) {
            throw new BrokerUnavailableException(
                    "the RabbitMQ management API answered HTTP " + response.statusCode()
                            + (response.statusCode() == 401
                                    ? " (the user of RABBITMQ_URL needs the monitoring tag)"
                                    : ""),
                    RETRY_AFTER);
        }
        try {
            JsonNode body = JsonBodies.MAPPER.readTree(response.body());
            if (!body.isArray()) {
                throw new IOException("not a JSON array");
            }
            return body;
        } catch (IOException e) {
            throw new BrokerUnavailableException(
                    "the RabbitMQ management API answered something else than JSON", RETRY_AFTER, e);
        }
    }
}
