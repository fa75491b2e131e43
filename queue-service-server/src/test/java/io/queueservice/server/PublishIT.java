package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.queueservice.server.ApiClient.Response;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Publishing over HTTP, checked with a plain AMQP client on the shared broker. */
class PublishIT extends AgainstSharedBroker {
    private static String queue(Map<String, Object> options) {
        String name = broker.queue(uniqueName("q"));
        Response r = api.post("/api/v1/queues", json(Map.of("name", name, "options", options)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return name;
    }

    private static String queue() {
        return queue(Map.of());
    }

    @Test
    void originalPublishExampleReachesTheQueue() throws Exception {
        String exchange = broker.exchange(uniqueName("email"));
        String queue = queue(Map.of("durable", true));
        assertThat(api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "direct")))
                        .status())
                .isEqualTo(201);
        assertThat(api.post(
                                "/api/v1/bindings",
                                json(Map.of("queue", queue, "exchange", exchange, "routingKey", "confirmation")))
                        .status())
                .isEqualTo(201);

        String message = """
                {"to": "user@example.com", "subject": "Confirmation d'inscription", "body": "Bienvenue sur notre plateforme!"}""";
        Response r = api.publish("""
                {"exchange": "%s", "routingKey": "confirmation", "message": %s, "options": {"persistent": true, "priority": 1}}
                """.formatted(exchange, message));

        assertThat(r.status()).as(r.body()).isEqualTo(202);
        String messageId = r.json().get("messageId").asText();
        assertThat(messageId).isNotBlank();
        GetResponse got = broker.await(queue);
        assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo(message);
        assertThat(got.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(got.getProps().getPriority()).isEqualTo(1);
        assertThat(got.getProps().getContentType()).isEqualTo("application/json");
        assertThat(got.getProps().getMessageId()).isEqualTo(messageId);
        assertThat(got.getEnvelope().getExchange()).isEqualTo(exchange);
        assertThat(got.getEnvelope().getRoutingKey()).isEqualTo("confirmation");
        assertThat(new ObjectMapper().readTree(got.getBody()).get("to").asText())
                .isEqualTo("user@example.com");
    }

    @Test
    void propertiesGivenByTheClientReachTheBroker() {
        String queue = queue(Map.of("maxPriority", 10));
        Response r = api.publish(json(Map.of(
                "exchange",
                "",
                "routingKey",
                queue,
                "message",
                "plain text é",
                "options",
                Map.of(
                        "persistent",
                        false,
                        "priority",
                        7,
                        "expiration",
                        "60000",
                        "messageId",
                        "id-42",
                        "correlationId",
                        "corr-1",
                        "contentType",
                        "text/plain",
                        "headers",
                        Map.of(
                                "tenant",
                                "acme",
                                "attempt",
                                3,
                                "big",
                                5_000_000_000L,
                                "ratio",
                                0.5,
                                "flag",
                                true,
                                "nested",
                                Map.of("k", "v"),
                                "list",
                                java.util.List.of(1, "two"))))));

        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(r.json().get("messageId").asText()).isEqualTo("id-42");
        GetResponse got = broker.await(queue);
        assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("plain text é");
        var p = got.getProps();
        assertThat(p.getDeliveryMode()).isEqualTo(1);
        assertThat(p.getPriority()).isEqualTo(7);
        assertThat(p.getExpiration()).isEqualTo("60000");
        assertThat(p.getMessageId()).isEqualTo("id-42");
        assertThat(p.getCorrelationId()).isEqualTo("corr-1");
        assertThat(p.getContentType()).isEqualTo("text/plain");
        assertThat(p.getTimestamp()).isNotNull();
        assertThat(p.getHeaders().get("tenant").toString()).isEqualTo("acme");
        assertThat(p.getHeaders())
                .containsEntry("attempt", 3)
                .containsEntry("big", 5_000_000_000L)
                .containsEntry("ratio", 0.5)
                .containsEntry("flag", true);
        assertThat(p.getHeaders().get("nested")).isInstanceOf(Map.class);
        assertThat(p.getHeaders().get("list")).asList().hasSize(2);
    }

    @Test
    void unroutableMessageIsReportedNotDropped() {
        String exchange = broker.exchange(uniqueName("orders"));
        api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "direct")));
        String queue = queue();
        api.post("/api/v1/bindings", json(Map.of("queue", queue, "exchange", exchange, "routingKey", "created")));

        Response r =
                api.publish(json(Map.of("exchange", exchange, "routingKey", "deleted", "message", Map.of("id", 1))));

        assertThat(r.status()).as(r.body()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:unroutable");
        assertThat(r.problem().detail()).contains(exchange).contains("deleted");
        assertThat(broker.depth(queue)).isZero();
    }

    @Test
    void nonMandatoryUnroutableMessageIsAcceptedAndDropped() {
        Response r = api.publish(json(Map.of(
                "routingKey", uniqueName("nobody-listens"), "message", 1, "options", Map.of("mandatory", false))));

        assertThat(r.status()).as(r.body()).isEqualTo(202);
    }

    @Test
    void publishToMissingExchangeIsNotFound() {
        Response r = api.publish(json(Map.of("exchange", uniqueName("missing"), "routingKey", "x", "message", 1)));

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:not-found");
        assertThat(r.problem().detail()).contains("exchange");
    }

    @Test
    void brokerRefusalIsServiceUnavailableWithRetryAfter() {
        String queue = queue(Map.of("maxLength", 1, "overflow", "reject-publish"));
        assertThat(api.publish(json(Map.of("routingKey", queue, "message", 1))).status())
                .isEqualTo(202);

        Response r = api.publish(json(Map.of("routingKey", queue, "message", 2)));

        assertThat(r.status()).as(r.body()).isEqualTo(503);
        assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:nacked");
        assertThat(r.header("Retry-After")).hasValue("1");
        assertThat(broker.drain(queue)).containsExactly("1");
    }

    @Test
    void jsonMessageIsForwardedByteForByte() {
        String queue = queue();
        String message =
                "{ \"price\": 10.50, \"big\": 123456789012345678901234567890, \"unicode\": \"\\u00e9\", \"b\": [1 ,2] }";

        Response r = api.publish("{\"routingKey\": \"" + queue + "\", \"message\": " + message + "}");

        assertThat(r.status()).as(r.body()).isEqualTo(202);
        assertThat(broker.drain(queue)).containsExactly(message);
    }

    @Test
    void publishCountersAreExported() {
        String queue = queue();
        api.publish(json(Map.of("routingKey", queue, "message", 1)));
        api.publish(json(Map.of("exchange", uniqueName("missing"), "routingKey", "x", "message", 1)));
        api.publish("{\"routingKey\": 5}");

        String metrics = api.get("/metrics").body();

        assertThat(metrics).contains("queue_message_published_total{exchange=\"amq.default\"}");
        assertThat(metrics).contains("queue_message_publish_errors_total{exchange=\"_unknown\",reason=\"not_found\"}");
        assertThat(metrics).contains("queue_message_publish_errors_total{exchange=\"_unknown\",reason=\"invalid\"}");
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws Exception {
        String queue = queue();
        String body = "{\"routingKey\":\"" + queue + "\",\"message\":{\"n\":1}}";
        String request = "POST /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        String answer;
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", service.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput(); // sent everything: the answer is still expected, then the end of the connection
            answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(answer).startsWith("HTTP/1.1 202 ").contains("\"status\":\"published\"");
        assertThat(broker.drain(queue)).containsExactly("{\"n\":1}");
    }
}
