package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.queueservice.server.ApiClient.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Queues, exchanges and bindings through the API, checked on the broker with a plain AMQP client. */
class TopologyIT extends AgainstSharedBroker {
    private static void assertProblem(Response r, int status, String kind) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:" + kind);
        assertThat(r.problem().status()).isEqualTo(status);
    }

    @Test
    void exchangeIsCreatedOnceAndRedeclaredIdempotently() {
        String name = broker.exchange(uniqueName("ex"));
        String body = json(Map.of("name", name, "type", "topic", "options", Map.of("durable", true)));

        Response created = api.post("/api/v1/exchanges", body);
        Response again = api.post("/api/v1/exchanges", body);

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("created").asBoolean()).isTrue();
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("created").asBoolean()).isFalse();
        assertThat(broker.exchangeExists(name)).isTrue();
    }

    @Test
    void redeclaringAnExchangeWithAnotherTypeIsAConflictNamingTheArgument() {
        String name = broker.exchange(uniqueName("ex"));
        api.post("/api/v1/exchanges", json(Map.of("name", name, "type", "direct")));

        Response r = api.post("/api/v1/exchanges", json(Map.of("name", name, "type", "fanout")));

        assertProblem(r, 409, "conflict");
        assertThat(r.problem().argument()).isEqualTo("type");
    }

    @Test
    void exchangeIsDeletedAndThenUnknown() {
        String name = broker.exchange(uniqueName("ex"));
        api.post("/api/v1/exchanges", json(Map.of("name", name, "type", "fanout")));

        assertThat(api.delete("/api/v1/exchanges/" + name).status()).isEqualTo(204);
        assertThat(broker.exchangeExists(name)).isFalse();
        assertProblem(api.delete("/api/v1/exchanges/" + name), 404, "not-found");
        assertProblem(api.publish(json(Map.of("exchange", name, "routingKey", "", "message", 1))), 404, "not-found");
    }

    @Test
    void exchangeOptionsReachTheBroker() throws Exception {
        String alternate = broker.exchange(uniqueName("alt"));
        String name = broker.exchange(uniqueName("ex"));
        String catchAll = broker.queue(uniqueName("unrouted"));
        api.post("/api/v1/exchanges", json(Map.of("name", alternate, "type", "fanout")));
        api.post("/api/v1/queues", json(Map.of("name", catchAll)));
        api.post("/api/v1/bindings", json(Map.of("queue", catchAll, "exchange", alternate)));
        Response r = api.post(
                "/api/v1/exchanges",
                json(Map.of(
                        "name",
                        name,
                        "type",
                        "direct",
                        "options",
                        Map.of("alternateExchange", alternate, "autoDelete", false))));
        assertThat(r.status()).as(r.body()).isEqualTo(201);

        // No binding on the exchange matches: the alternate exchange takes the message.
        assertThat(api.publish(json(Map.of("exchange", name, "routingKey", "nobody", "message", "kept")))
                        .status())
                .isEqualTo(202);

        assertThat(broker.drain(catchAll)).containsExactly("\"kept\"");
    }

    @Test
    void queueLifecycleCreateInspectPurgeDelete() throws Exception {
        String name = broker.queue(uniqueName("q"));
        assertThat(api.post("/api/v1/queues", json(Map.of("name", name))).status())
                .isEqualTo(201);
        assertThat(api.post("/api/v1/queues", json(Map.of("name", name))).status())
                .isEqualTo(200);
        try (Channel ch = broker.channel()) {
            ch.confirmSelect();
            for (int i = 0; i < 3; i++) {
                ch.basicPublish(
                        "", name, MessageProperties.PERSISTENT_TEXT_PLAIN, ("m" + i).getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(5000); // in the queue before the service is asked about it
        }

        Response info = api.get("/api/v1/queues/" + name);
        assertThat(info.status()).isEqualTo(200);
        assertThat(info.json().get("name").asText()).isEqualTo(name);
        assertThat(info.json().get("messages").asLong()).isEqualTo(3);
        assertThat(info.json().get("consumers").asLong()).isZero();

        assertProblem(api.delete("/api/v1/queues/" + name + "?ifEmpty=true"), 409, "conflict");
        Response purged = api.post("/api/v1/queues/" + name + "/purge", "");
        assertThat(purged.status()).isEqualTo(200);
        assertThat(purged.json().get("messages").asLong()).isEqualTo(3);
        assertThat(broker.depth(name)).isZero();

        assertThat(api.delete("/api/v1/queues/" + name).status()).isEqualTo(200);
        assertThat(broker.queueExists(name)).isFalse();
        assertProblem(api.get("/api/v1/queues/" + name), 404, "not-found");
        assertProblem(api.delete("/api/v1/queues/" + name), 404, "not-found");
        assertProblem(api.post("/api/v1/queues/" + name + "/purge", ""), 404, "not-found");
    }

    @Test
    void redeclaringAQueueWithOtherArgumentsIsAConflictNamingTheArgument() {
        String name = broker.queue(uniqueName("q"));
        api.post("/api/v1/queues", json(Map.of("name", name, "options", Map.of("messageTtl", 1000))));

        Response r = api.post("/api/v1/queues", json(Map.of("name", name, "options", Map.of("messageTtl", 2000))));

        assertProblem(r, 409, "conflict");
        assertThat(r.problem().argument()).isEqualTo("x-message-ttl");
    }

    @Test
    void queueWithDeadLetterExchangeDeadLettersARejectedMessage() throws Exception {
        String dlx = broker.exchange(uniqueName("dlx"));
        String dlq = broker.queue(uniqueName("dlq"));
        String work = broker.queue(uniqueName("work"));
        api.post("/api/v1/exchanges", json(Map.of("name", dlx, "type", "fanout")));
        api.post("/api/v1/queues", json(Map.of("name", dlq)));
        api.post("/api/v1/bindings", json(Map.of("queue", dlq, "exchange", dlx)));
        Response created = api.post(
                "/api/v1/queues",
                json(Map.of(
                        "name", work, "options", Map.of("deadLetterExchange", dlx, "deadLetterRoutingKey", "dead"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(api.publish(json(Map.of("routingKey", work, "message", Map.of("poison", true))))
                        .status())
                .isEqualTo(202);

        try (Channel ch = broker.channel()) {
            GetResponse delivery = ch.basicGet(work, false);
            assertThat(delivery).isNotNull();
            ch.basicReject(delivery.getEnvelope().getDeliveryTag(), false);
        }

        GetResponse dead = broker.await(dlq);
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"poison\":true}");
        assertThat(dead.getEnvelope().getRoutingKey()).isEqualTo("dead");
        assertThat(dead.getProps().getHeaders()).containsKey("x-death");
    }

    @Test
    void quorumQueueCanBeDeclared() {
        String name = broker.queue(uniqueName("quorum"));

        Response r = api.post("/api/v1/queues", json(Map.of("name", name, "options", Map.of("type", "quorum"))));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(api.publish(json(Map.of("routingKey", name, "message", 1))).status())
                .isEqualTo(202);
        assertThat(broker.drain(name)).containsExactly("1");
    }

    @Test
    void bindingRoutesUntilItIsRemoved() {
        String exchange = broker.exchange(uniqueName("ex"));
        String queue = broker.queue(uniqueName("q"));
        api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "direct")));
        api.post("/api/v1/queues", json(Map.of("name", queue)));
        String binding = json(Map.of("queue", queue, "exchange", exchange, "routingKey", "k"));

        assertThat(api.post("/api/v1/bindings", binding).status()).isEqualTo(201);
        assertThat(api.publish(json(Map.of("exchange", exchange, "routingKey", "k", "message", 1)))
                        .status())
                .isEqualTo(202);
        assertThat(api.delete("/api/v1/bindings", binding).status()).isEqualTo(204);
        assertProblem(
                api.publish(json(Map.of("exchange", exchange, "routingKey", "k", "message", 2))), 422, "unroutable");

        assertThat(broker.drain(queue)).containsExactly("1");
    }

    @Test
    void bindingToSomethingMissingIsNotFound() {
        String exchange = broker.exchange(uniqueName("ex"));
        api.post("/api/v1/exchanges", json(Map.of("name", exchange, "type", "direct")));

        Response r = api.post("/api/v1/bindings", json(Map.of("queue", uniqueName("missing"), "exchange", exchange)));

        assertProblem(r, 404, "not-found");
        assertThat(r.problem().detail()).contains("queue");
        assertProblem(
                api.delete("/api/v1/bindings", json(Map.of("queue", uniqueName("missing"), "exchange", exchange))),
                404,
                "not-found");
    }

    @Test
    void invalidNamesAreRefusedNamingTheField() {
        Response longName = api.post("/api/v1/queues", json(Map.of("name", "q".repeat(256))));
        Response reserved = api.post("/api/v1/exchanges", json(Map.of("name", "amq.mine", "type", "direct")));
        Response empty = api.post("/api/v1/queues", json(Map.of("name", "")));
        Response badType = api.post("/api/v1/exchanges", json(Map.of("name", uniqueName("ex"), "type", "x-delayed")));
        Response defaultExchange = api.post("/api/v1/bindings", json(Map.of("queue", "q", "exchange", "")));

        for (Response r : List.of(longName, reserved, empty, badType, defaultExchange)) {
            assertProblem(r, 400, "validation");
        }
        assertThat(longName.problem().errors().get(0).field()).isEqualTo("name");
        assertThat(reserved.problem().errors().get(0).field()).isEqualTo("name");
        assertThat(empty.problem().errors().get(0).field()).isEqualTo("name");
        assertThat(badType.problem().errors().get(0).field()).isEqualTo("type");
        assertThat(defaultExchange.problem().errors().get(0).field()).isEqualTo("exchange");
    }

    @Test
    void argumentsTheBrokerRefusesAreABadRequest() {
        String name = broker.queue(uniqueName("q"));

        Response r = api.post(
                "/api/v1/queues",
                json(Map.of("name", name, "options", Map.of("arguments", Map.of("x-message-ttl", "soon")))));

        assertProblem(r, 400, "refused");
        assertThat(r.problem().detail()).contains("x-message-ttl");
        // The admin connection survived: the next operation works.
        assertThat(api.post("/api/v1/queues", json(Map.of("name", name))).status())
                .isEqualTo(201);
    }

    @Test
    void operationsAQueueTypeDoesNotSupportAreRefusedAndHarmNothingElse() {
        String stream = broker.queue(uniqueName("stream"));
        String quorum = broker.queue(uniqueName("quorum"));
        assertThat(api.post("/api/v1/queues", json(Map.of("name", stream, "options", Map.of("type", "stream"))))
                        .status())
                .isEqualTo(201);
        assertThat(api.post("/api/v1/queues", json(Map.of("name", quorum, "options", Map.of("type", "quorum"))))
                        .status())
                .isEqualTo(201);

        // RabbitMQ answers these by closing the whole connection: the service isolates them.
        Response purge = api.post("/api/v1/queues/" + stream + "/purge", "");
        Response conditionalDelete = api.delete("/api/v1/queues/" + quorum + "?ifEmpty=true");

        assertProblem(purge, 400, "refused");
        assertThat(purge.problem().detail()).contains("stream");
        assertProblem(conditionalDelete, 400, "refused");
        // Nothing else was disturbed: the next operations work at once.
        assertThat(api.get("/api/v1/queues/" + quorum).status()).isEqualTo(200);
        assertThat(api.delete("/api/v1/queues/" + quorum).status()).isEqualTo(200);
    }
}
