package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.SharedBroker;
import io.queueservice.testing.SharedBrokerTypes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quorum queues through the API on the shared broker: {@code DEFAULT_QUEUE_TYPE} (unset, classic, quorum)
 * and the quorum options, checked with a plain AMQP client and {@code rabbitmqctl list_queues name type}.
 */
class QuorumQueuesIT {
    private static RunningService unset;
    private static RunningService classic;
    private static RunningService quorum;
    private static BrokerProbe broker;

    @BeforeAll
    static void start() {
        broker = new BrokerProbe(SharedBroker.url());
        unset = RunningService.start(SharedBroker.url());
        classic = RunningService.start(SharedBroker.url(), Map.of("DEFAULT_QUEUE_TYPE", "classic"));
        quorum = RunningService.start(SharedBroker.url(), Map.of("DEFAULT_QUEUE_TYPE", "quorum"));
    }

    @AfterAll
    static void stop() {
        for (RunningService s : new RunningService[] {unset, classic, quorum}) {
            if (s != null) {
                s.close();
            }
        }
        broker.close();
    }

    private static Response declare(RunningService service, String name, Map<String, Object> options) {
        return service.api().post("/api/v1/queues", json(Map.of("name", name, "options", options)));
    }

    /** Declares with a plain AMQP client; the broker's refusal as the exception, or null. */
    private static Exception declareByAmqp(String name, Map<String, Object> arguments) {
        try (Channel ch = broker.channel()) {
            ch.queueDeclare(name, true, false, false, arguments);
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void aQuorumQueueDeadLettersAMessageReturnedMoreThanItsDeliveryLimitAtLeastOnce() throws Exception {
        String dlx = broker.exchange(uniqueName("dlx"));
        String dead = broker.queue(uniqueName("dead"));
        String work = broker.queue(uniqueName("work"));
        ApiClient api = unset.api();
        assertThat(api.post("/api/v1/exchanges", json(Map.of("name", dlx, "type", "fanout")))
                        .status())
                .isEqualTo(201);
        assertThat(declare(unset, dead, Map.of("type", "quorum")).status()).isEqualTo(201);
        assertThat(api.post("/api/v1/bindings", json(Map.of("queue", dead, "exchange", dlx)))
                        .status())
                .isEqualTo(201);
        int limit = 2;
        Response declared = declare(
                unset,
                work,
                Map.of(
                        "type", "quorum",
                        "deliveryLimit", limit,
                        "deadLetterStrategy", "at-least-once",
                        "overflow", "reject-publish",
                        "deadLetterExchange", dlx));
        assertThat(declared.status()).as(declared.body()).isEqualTo(201);
        assertThat(declared.json().get("type").asText()).isEqualTo("quorum");
        assertThat(SharedBrokerTypes.of(List.of(work, dead)))
                .containsEntry(work, "quorum")
                .containsEntry(dead, "quorum");

        Response published = api.publish(json(Map.of(
                "exchange",
                "",
                "routingKey",
                work,
                "message",
                Map.of("n", 1),
                "options",
                Map.of("messageId", "poison-1"))));
        assertThat(published.status()).as(published.body()).isEqualTo(202);

        // A consumer that gives the message back every time, as a crashing worker would.
        int deliveries = 0;
        try (Channel ch = broker.channel()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (broker.depth(dead) == 0 && System.nanoTime() < deadline) {
                GetResponse r = ch.basicGet(work, false);
                if (r == null) {
                    Thread.sleep(20);
                    continue;
                }
                deliveries++;
                assertThat(r.getProps().getMessageId()).isEqualTo("poison-1");
                ch.basicReject(r.getEnvelope().getDeliveryTag(), true);
            }
        }

        assertThat(deliveries)
                .as("delivered once, then returned %d times", limit)
                .isEqualTo(limit + 1);
        GetResponse deadLettered = broker.await(dead);
        assertThat(deadLettered.getProps().getMessageId()).isEqualTo("poison-1");
        assertThat(new String(deadLettered.getBody(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        Map<String, Object> headers = deadLettered.getProps().getHeaders();
        assertThat(headers.get("x-first-death-reason")).hasToString("delivery_limit");
        assertThat(headers.get("x-first-death-queue")).hasToString(work);
        @SuppressWarnings("unchecked")
        Map<String, Object> death = ((List<Map<String, Object>>) headers.get("x-death")).get(0);
        assertThat(death.get("reason")).hasToString("delivery_limit");
        assertThat(broker.depth(work)).isZero();
        assertThat(broker.depth(dead)).isZero();
    }

    @Test
    void redeclaringWithAnotherDeliveryLimitIsAConflictNamingIt() {
        String name = broker.queue(uniqueName("limited"));
        assertThat(declare(unset, name, Map.of("type", "quorum", "deliveryLimit", 3))
                        .status())
                .isEqualTo(201);
        assertThat(declare(unset, name, Map.of("type", "quorum", "deliveryLimit", 3))
                        .status())
                .isEqualTo(200);

        Response r = declare(unset, name, Map.of("type", "quorum", "deliveryLimit", 4));

        assertThat(r.status()).as(r.body()).isEqualTo(409);
        assertThat(r.problem().argument()).isEqualTo("x-delivery-limit");
    }

    @Test
    void theQuorumDefaultDeclaresQuorumQueues() {
        String plain = broker.queue(uniqueName("by-default"));
        String limited = broker.queue(uniqueName("by-default-limited"));
        String transientQueue = broker.queue(uniqueName("by-default-transient"));

        Response r = declare(quorum, plain, Map.of());
        Response withLimit = declare(quorum, limited, Map.of("deliveryLimit", 5));
        Response autoDelete = declare(quorum, transientQueue, Map.of("autoDelete", true));

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().get("type").asText()).isEqualTo("quorum");
        assertThat(withLimit.status()).as(withLimit.body()).isEqualTo(201);
        assertThat(autoDelete.status()).as(autoDelete.body()).isEqualTo(201);
        assertThat(autoDelete.json().get("type").asText()).isEqualTo("classic");
        assertThat(SharedBrokerTypes.of(List.of(plain, limited, transientQueue)))
                .containsEntry(plain, "quorum")
                .containsEntry(limited, "quorum")
                .containsEntry(transientQueue, "classic");
        // And the broker holds to it: a classic declaration of the same name is refused.
        assertThat(declareByAmqp(plain, Map.of("x-queue-type", "classic")))
                .isNotNull()
                .hasStackTraceContaining("inequivalent arg 'x-queue-type'");
        // The same request again is the same queue.
        assertThat(declare(quorum, plain, Map.of()).status()).isEqualTo(200);
    }

    @Test
    void aQueueOnlyClassicQueuesSupportIsRefusedUnderTheQuorumDefaultSayingWhy() {
        String name = uniqueName("prioritised");

        Response r = declare(quorum, name, Map.of("maxPriority", 5));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.problem().errors())
                .extracting(v -> v.field())
                .containsExactlyInAnyOrder("options.type", "options.maxPriority");
        assertThat(broker.queueExists(name)).isFalse();
        Response explicit = declare(quorum, broker.queue(name), Map.of("type", "classic", "maxPriority", 5));
        assertThat(explicit.status()).as(explicit.body()).isEqualTo(201);
    }

    @Test
    void anExistingClassicQueueIsAConflictUnderTheQuorumDefaultAndFineUnderTheOthers() {
        String name = broker.queue(uniqueName("was-classic"));
        assertThat(declareByAmqp(name, Map.of())).isNull(); // no x-queue-type: classic, as before the setting

        Response underQuorum = declare(quorum, name, Map.of());
        Response underClassic = declare(classic, name, Map.of());
        Response underUnset = declare(unset, name, Map.of());

        assertThat(underQuorum.status()).as(underQuorum.body()).isEqualTo(409);
        assertThat(underQuorum.problem().argument()).isEqualTo("x-queue-type");
        assertThat(underQuorum.problem().detail())
                .contains("exists with another type than quorum")
                .contains("DEFAULT_QUEUE_TYPE=quorum")
                .contains("never changes the type of a queue");
        assertThat(underClassic.status()).as(underClassic.body()).isEqualTo(200);
        assertThat(underClassic.json().get("type").asText()).isEqualTo("classic");
        assertThat(underUnset.status()).as(underUnset.body()).isEqualTo(200);
        assertThat(underUnset.json().has("type")).as(underUnset.body()).isFalse();
        assertThat(SharedBrokerTypes.of(name)).isEqualTo("classic");
    }

    @Test
    void withoutTheSettingNoTypeIsSentAndTheBrokersDefaultApplies() {
        String name = broker.queue(uniqueName("untyped"));

        Response r = declare(unset, name, Map.of());

        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.json().has("type")).as(r.body()).isFalse();
        // The shared broker's vhost has no default type of its own: classic. Declared without a type, the
        // queue takes later declarations without one, which a quorum queue (3.10) would refuse.
        assertThat(SharedBrokerTypes.of(name)).isEqualTo("classic");
        assertThat(declareByAmqp(name, Map.of())).isNull();
        assertThat(declareByAmqp(name, Map.of("x-queue-type", "quorum"))).hasStackTraceContaining("current is none");
    }
}
