package io.queueservice.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import io.queueservice.publish.OutgoingMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DelayEnvelopeTest {
    private static final DelayLevels LEVELS = new DelayLevels("qs.delay");
    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05.678Z");
    private static final byte[] BODY = "{\"hello\":1}".getBytes(StandardCharsets.UTF_8);

    private static AMQP.BasicProperties original() {
        return new AMQP.BasicProperties.Builder()
                .contentType("application/json")
                .deliveryMode(1)
                .priority(3)
                .expiration("60000")
                .messageId("m-1")
                .correlationId("c-1")
                .timestamp(new Date(1_000_000L))
                .headers(Map.of("tenant", "acme", "x-death", List.of(Map.of("queue", "old")), "CC", List.of("k2")))
                .build();
    }

    @Test
    void wrappingAddressesTheLevelsWithTheWholeSecondsAndDurableProperties() {
        ScheduledMessage s = DelayEnvelope.wrap(
                LEVELS,
                new OutgoingMessage("orders", "eu.new", BODY, original(), false),
                Duration.ofMillis(37_900),
                NOW);

        assertThat(s.deliverAt()).isEqualTo(Instant.parse("2030-01-02T03:04:43.578Z"));
        assertThat(s.messageId()).isEqualTo("m-1");
        OutgoingMessage m = s.message();
        assertThat(m.exchange()).isEqualTo("qs.delay.level.19");
        assertThat(m.routingKey())
                .as("36 s in the levels, the rest in the dispatcher")
                .isEqualTo(DelayLevels.routingKey(36));
        assertThat(m.mandatory()).isTrue();
        assertThat(m.body()).isEqualTo(BODY);
        AMQP.BasicProperties p = m.properties();
        assertThat(p.getDeliveryMode()).isEqualTo(2);
        assertThat(p.getExpiration())
                .as("a per-message TTL would move it on early")
                .isNull();
        assertThat(p.getHeaders())
                .containsEntry("tenant", "acme")
                .containsEntry("qs-delay-exchange", "orders")
                .containsEntry("qs-delay-routing-key", "eu.new")
                .containsEntry("qs-delay-due-at", "2030-01-02T03:04:43.578Z")
                .containsEntry("qs-delay-mandatory", false)
                .containsEntry("qs-delay-expiration", "60000")
                .containsEntry("qs-delay-delivery-mode", 1)
                .containsKey("qs-delay-saved-x-death")
                .doesNotContainKeys("x-death", "CC");
    }

    @Test
    void unwrappingGivesBackTheOriginalPlusTheDueTimeAndDropsWhatTheLevelsAdded() throws Exception {
        OutgoingMessage in = new OutgoingMessage("orders", "eu.new", BODY, original(), false);
        ScheduledMessage s = DelayEnvelope.wrap(LEVELS, in, Duration.ofSeconds(3), NOW);

        // What the due queue delivers: the broker's dead-lettering headers on top, and our publisher's marker.
        Map<String, Object> delivered = new HashMap<>(s.message().properties().getHeaders());
        delivered.put("x-death", List.of(Map.of("queue", "qs.delay.level.01")));
        delivered.put("x-first-death-queue", "qs.delay.level.01");
        delivered.put("x-first-death-reason", "expired");
        delivered.put("x-first-death-exchange", "qs.delay.level.19");
        delivered.put("x-delivery-count", 1);
        delivered.put("qs-publish-seq", 7L);
        AMQP.BasicProperties props =
                s.message().properties().builder().headers(delivered).build();

        DelayEnvelope.Unwrapped u = DelayEnvelope.unwrap(props, BODY);

        assertThat(u.dueAt()).isEqualTo(NOW.plusSeconds(3));
        OutgoingMessage out = u.message();
        assertThat(out.exchange()).isEqualTo("orders");
        assertThat(out.routingKey()).isEqualTo("eu.new");
        assertThat(out.mandatory()).isFalse();
        assertThat(out.body()).isEqualTo(BODY);
        AMQP.BasicProperties p = out.properties();
        AMQP.BasicProperties o = original();
        assertThat(p.getDeliveryMode()).isEqualTo(1);
        assertThat(p.getExpiration()).isEqualTo("60000");
        assertThat(p.getPriority()).isEqualTo(o.getPriority());
        assertThat(p.getMessageId()).isEqualTo(o.getMessageId());
        assertThat(p.getCorrelationId()).isEqualTo(o.getCorrelationId());
        assertThat(p.getContentType()).isEqualTo(o.getContentType());
        assertThat(p.getTimestamp()).isEqualTo(o.getTimestamp());
        Map<String, Object> expected = new HashMap<>(o.getHeaders());
        expected.put("qs-delay-due-at", "2030-01-02T03:04:08.678Z");
        assertThat(p.getHeaders()).isEqualTo(expected);
    }

    @Test
    void aMandatoryPersistentMessageWithoutExpirationComesOutSo() throws Exception {
        AMQP.BasicProperties plain = new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .messageId("m-2")
                .build();
        ScheduledMessage s =
                DelayEnvelope.wrap(LEVELS, new OutgoingMessage("", "q", BODY, plain, true), Duration.ZERO, NOW);
        assertThat(s.message().routingKey()).doesNotContain("1");
        assertThat(s.message().properties().getHeaders())
                .doesNotContainKeys("qs-delay-mandatory", "qs-delay-expiration", "qs-delay-delivery-mode");

        OutgoingMessage out =
                DelayEnvelope.unwrap(s.message().properties(), BODY).message();
        assertThat(out.exchange()).isEmpty();
        assertThat(out.mandatory()).isTrue();
        assertThat(out.properties().getDeliveryMode()).isEqualTo(2);
        assertThat(out.properties().getExpiration()).isNull();
        assertThat(out.properties().getHeaders()).containsOnlyKeys("qs-delay-due-at");
    }

    @Test
    void aMessageRescheduledKeepsNoStaleDelayHeaders() throws Exception {
        AMQP.BasicProperties once = new AMQP.BasicProperties.Builder()
                .headers(Map.of("qs-delay-due-at", "2000-01-01T00:00:00Z", "qs-delay-exchange", "old"))
                .build();
        ScheduledMessage s = DelayEnvelope.wrap(
                LEVELS, new OutgoingMessage("new", "k", BODY, once, true), Duration.ofSeconds(1), NOW);
        assertThat(s.message().properties().getHeaders())
                .containsEntry("qs-delay-exchange", "new")
                .containsEntry("qs-delay-due-at", NOW.plusSeconds(1).toString());
    }

    @Test
    void aMessageWithoutTheDelayHeadersIsNotADelayedMessage() {
        AMQP.BasicProperties none = new AMQP.BasicProperties.Builder().build();
        assertThatThrownBy(() -> DelayEnvelope.unwrap(none, BODY))
                .isInstanceOf(DelayEnvelope.NotDelayedException.class)
                .hasMessageContaining("qs-delay-exchange");
        AMQP.BasicProperties badTime = new AMQP.BasicProperties.Builder()
                .headers(Map.of("qs-delay-exchange", "x", "qs-delay-routing-key", "k", "qs-delay-due-at", "soon"))
                .build();
        assertThatThrownBy(() -> DelayEnvelope.unwrap(badTime, BODY))
                .isInstanceOf(DelayEnvelope.NotDelayedException.class)
                .hasMessageContaining("'soon'");
    }
}
