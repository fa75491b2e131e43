package io.queueservice.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The RabbitMQ management HTTP API, for what AMQP cannot tell: the queues of the virtual host with their depth
 * and consumers, and its queues' dead-letter settings, exchanges and bindings. Uses the credentials of {@code
 * RABBITMQ_URL} (the user needs the {@code monitoring} or {@code management} tag).
 */
public final class ManagementApi {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /**
     * A queue and where it dead-letters to: its arguments' {@code x-dead-letter-exchange} and {@code
     * x-dead-letter-routing-key}, else its policy's {@code dead-letter-exchange} and {@code dead-letter-routing-key}
     * (arguments win over a policy, as in the broker).
     */
    public record DeadLettering(String queue, Optional<String> exchange, Optional<String> routingKey) {}

    /** An exchange and its type. */
    public record ExchangeSummary(String name, String type) {}

    /** A binding of {@code source} to a queue, or to another exchange when {@code toExchange}. */
    public record BindingSummary(String source, String destination, boolean toExchange, String routingKey) {}

    private final String root;
    /** The virtual host's name, URL-encoded. */
    private final String vhost;

    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    /** @param base e.g. {@code http://localhost:15672} */
    public ManagementApi(URI base, String user, String password, String virtualHost, Duration timeout) {
        this.root = base.toString().replaceAll("/+$", "");
        this.vhost = URLEncoder.encode(virtualHost, StandardCharsets.UTF_8);
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
        List<QueueSummary> queues = new ArrayList<>();
        for (JsonNode q : get(
                "queues",
                "columns=name,type,durable,messages,messages_ready,messages_unacknowledged," + "consumers,state")) {
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
     * Where each queue of the virtual host dead-letters to.
     *
     * @throws BrokerUnavailableException when the management API cannot be reached or refuses the request
     * @throws BrokerTimeoutException when it does not answer in time
     */
    public List<DeadLettering> deadLettering() {
        List<DeadLettering> out = new ArrayList<>();
        for (JsonNode q : get("queues", "columns=name,arguments,effective_policy_definition")) {
            JsonNode args = q.path("arguments");
            JsonNode policy = q.path("effective_policy_definition");
            out.add(new DeadLettering(
                    q.path("name").asText(),
                    text(args, "x-dead-letter-exchange").or(() -> text(policy, "dead-letter-exchange")),
                    text(args, "x-dead-letter-routing-key").or(() -> text(policy, "dead-letter-routing-key"))));
        }
        return out;
    }

    /**
     * The exchanges of the virtual host.
     *
     * @throws BrokerUnavailableException when the management API cannot be reached or refuses the request
     * @throws BrokerTimeoutException when it does not answer in time
     */
    public List<ExchangeSummary> exchanges() {
        List<ExchangeSummary> out = new ArrayList<>();
        for (JsonNode e : get("exchanges", "columns=name,type")) {
            out.add(new ExchangeSummary(e.path("name").asText(), e.path("type").asText("direct")));
        }
        return out;
    }

    /**
     * The bindings of the virtual host (the default exchange's implicit ones included).
     *
     * @throws BrokerUnavailableException when the management API cannot be reached or refuses the request
     * @throws BrokerTimeoutException when it does not answer in time
     */
    public List<BindingSummary> bindings() {
        List<BindingSummary> out = new ArrayList<>();
        for (JsonNode b : get("bindings", null)) {
            out.add(new BindingSummary(
                    b.path("source").asText(),
                    b.path("destination").asText(),
                    "exchange".equals(b.path("destination_type").asText()),
                    b.path("routing_key").asText("")));
        }
        return out;
    }

    private static Optional<String> text(JsonNode object, String field) {
        JsonNode v = object.path(field);
        return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
    }

    /** {@code GET <root>/api/<what>/<vhost>?<query>}: a JSON array. */
    private JsonNode get(String what, String query) {
        URI uri = URI.create(root + "/api/" + what + "/" + vhost + (query == null ? "" : "?" + query));
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
            JsonNode body = JSON.readTree(response.body());
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
