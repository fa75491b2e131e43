package io.queueservice.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.queueservice.broker.DeadLetterStrategy;
import io.queueservice.broker.QueueSpec;
import io.queueservice.broker.QueueType;
import io.queueservice.server.api.TopologyRequests.QueueRequest;
import io.queueservice.validation.InvalidRequestException;
import io.queueservice.validation.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code POST /api/v1/queues} bodies with the quorum options and {@code DEFAULT_QUEUE_TYPE}. */
class QueueRequestTest {
    private static QueueSpec spec(String json, QueueType defaultType) throws Exception {
        return JsonBodies.MAPPER.readValue(json, QueueRequest.class).toSpec(defaultType);
    }

    private static List<Violation> violations(String json, QueueType defaultType) throws Exception {
        QueueRequest r = JsonBodies.MAPPER.readValue(json, QueueRequest.class);
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> r.toSpec(defaultType));
        assertThat(e).as("the request should be refused").isNotNull();
        return e.violations();
    }

    @Test
    void quorumOptionsAreRead() throws Exception {
        QueueSpec s = spec("""
                {"name":"orders","options":{"type":"quorum","deliveryLimit":5,"deadLetterStrategy":"at-least-once",
                 "overflow":"reject-publish","deadLetterExchange":"dlx","quorumInitialGroupSize":3}}""", null);

        assertThat(s.type()).isEqualTo(QueueType.QUORUM);
        assertThat(s.deliveryLimit()).isEqualTo(5);
        assertThat(s.deadLetterStrategy()).isEqualTo(DeadLetterStrategy.AT_LEAST_ONCE);
        assertThat(s.quorumInitialGroupSize()).isEqualTo(3);
    }

    @Test
    void anUnknownStrategyIsRefusedListingTheKnownOnes() throws Exception {
        assertThat(violations(
                        "{\"name\":\"q\",\"options\":{\"type\":\"quorum\",\"deadLetterStrategy\":\"twice\"}}", null))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("options.deadLetterStrategy");
                    assertThat(v.message()).contains("at-most-once", "at-least-once", "'twice'");
                });
    }

    @Test
    void withoutADefaultTypeAQueueNamesNone() throws Exception {
        assertThat(spec("{\"name\":\"q\"}", null).type()).isNull();
    }

    @Test
    void theDefaultTypeAppliesToAQueueWithoutOne() throws Exception {
        assertThat(spec("{\"name\":\"q\"}", QueueType.QUORUM).type()).isEqualTo(QueueType.QUORUM);
        assertThat(spec("{\"name\":\"q\"}", QueueType.CLASSIC).type()).isEqualTo(QueueType.CLASSIC);
        assertThat(spec("{\"name\":\"q\",\"options\":{\"type\":\"classic\"}}", QueueType.QUORUM)
                        .type())
                .isEqualTo(QueueType.CLASSIC);
        assertThat(spec("{\"name\":\"q\",\"options\":{\"autoDelete\":true}}", QueueType.QUORUM)
                        .type())
                .isEqualTo(QueueType.CLASSIC);
    }

    @Test
    void quorumOptionsNeedNoTypeWhenTheDefaultIsQuorum() throws Exception {
        QueueSpec s = spec("{\"name\":\"q\",\"options\":{\"deliveryLimit\":3}}", QueueType.QUORUM);

        assertThat(s.type()).isEqualTo(QueueType.QUORUM);
        assertThat(s.amqpArguments()).containsEntry("x-delivery-limit", 3);
    }

    @Test
    void quorumOptionsWithoutATypeOrDefaultAreRefused() throws Exception {
        assertThat(violations("{\"name\":\"q\",\"options\":{\"deliveryLimit\":3}}", null))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.field()).isEqualTo("options.deliveryLimit");
                    assertThat(v.message()).contains("set options.type to quorum");
                });
    }

    @Test
    void whatTheQuorumDefaultForbidsIsExplainedOnTheType() throws Exception {
        List<Violation> v =
                violations("{\"name\":\"q\",\"options\":{\"maxPriority\":5,\"lazy\":true}}", QueueType.QUORUM);

        assertThat(v)
                .extracting(Violation::field)
                .containsExactlyInAnyOrder("options.type", "options.maxPriority", "options.lazy");
        assertThat(v)
                .filteredOn(x -> x.field().equals("options.type"))
                .singleElement()
                .satisfies(x -> assertThat(x.message()).contains("DEFAULT_QUEUE_TYPE", "set options.type to classic"));
    }

    @Test
    void problemsOfTheRequestItselfGetNoWordAboutTheDefault() throws Exception {
        assertThat(violations("{\"name\":\"amq.q\"}", QueueType.QUORUM))
                .extracting(Violation::field)
                .containsExactly("name");
        assertThat(violations("{\"name\":\"q\",\"options\":{\"type\":\"fast\"}}", QueueType.QUORUM))
                .extracting(Violation::field)
                .containsExactly("options.type");
    }
}
