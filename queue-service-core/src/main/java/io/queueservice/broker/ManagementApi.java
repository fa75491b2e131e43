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

/**
 * The RabbitMQ management HTTP API, for what AMQP cannot tell: the list of queues of the virtual host
 * with their depth and consumers. Uses the credentials of {@code RABBITMQ_URL} (the user needs the
 * {@code monitoring} or {@code management} tag).
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

    private final URI queuesUri;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    /** @param base e.g. {@code http://localhost:15672} */
    public ManagementApi(URI base, String user, String password, String virtualHost, Duration timeout) {
        String root = base.toString().replaceAll("/+$", "");
        this.queuesUri = URI.create(root + "/api/queues/" + URLEncoder.encode(virtualHost, StandardCharsets.UTF_8)
                + "?columns=name,type,durable,messages,messages_ready,messages_unacknowledged,consumers,state");
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
        HttpRequest request = HttpRequest.newBuilder(queuesUri)
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
            List<QueueSummary> queues = new ArrayList<>();
            for (JsonNode q : JSON.readTree(response.body())) {
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
        } catch (IOException e) {
            throw new BrokerUnavailableException(
                    "the RabbitMQ management API answered something else than JSON", RETRY_AFTER, e);
        }
    }
}
