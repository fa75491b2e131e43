package io.queueservice.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.queueservice.metrics.PublishMetrics.PublishFailure;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MicrometerPublishMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerPublishMetrics metrics = new MicrometerPublishMetrics(registry);

    private double published(String exchangeLabel) {
        Counter c = registry.find("queue.message.published")
                .tag("exchange", exchangeLabel)
                .counter();
        return c == null ? 0 : c.count();
    }

    private double failed(String exchangeLabel, String reason) {
        Counter c = registry.find("queue.message.publish.errors")
                .tag("exchange", exchangeLabel)
                .tag("reason", reason)
                .counter();
        return c == null ? 0 : c.count();
    }

    private List<String> exchangeLabels(String meter) {
        return registry.find(meter).meters().stream()
                .map(m -> m.getId().getTag("exchange"))
                .toList();
    }

    /** The counters of this name that counted something (those known in advance exist at 0 from the start). */
    private List<Counter> counted(String meter) {
        return registry.find(meter).counters().stream()
                .filter(c -> c.count() > 0)
                .toList();
    }

    @Test
    void everyReasonExistsAtZeroBeforeAnyPublish() {
        assertThat(registry.find("queue.message.publish.errors").counters())
                .extracting(c -> c.getId().getTag("reason") + "@" + c.getId().getTag("exchange"), Counter::count)
                .containsExactlyInAnyOrder(
                        tuple("invalid@_unknown", 0.0),
                        tuple("not_found@_unknown", 0.0),
                        tuple("refused@_unknown", 0.0),
                        tuple("unroutable@amq.default", 0.0),
                        tuple("nacked@amq.default", 0.0),
                        tuple("timeout@amq.default", 0.0),
                        tuple("unavailable@amq.default", 0.0));
        assertThat(published("amq.default")).isZero();
        assertThat(exchangeLabels("queue.message.published")).containsExactly("amq.default");
    }

    @Test
    void theSeriesThatExistFromTheStartCountOnFromZero() {
        metrics.publishFailed("", PublishFailure.TIMEOUT);
        metrics.publishFailed("orders", PublishFailure.NOT_FOUND);
        metrics.published("", Duration.ZERO);

        assertThat(failed("amq.default", "timeout")).isEqualTo(1);
        assertThat(failed("_unknown", "not_found")).isEqualTo(1);
        assertThat(published("amq.default")).isEqualTo(1);
        assertThat(registry.find("queue.message.publish.errors").counters())
                .as("no second series for a reason known from the start")
                .hasSize(PublishFailure.values().length);
    }

    @Test
    void publishedMessagesAreCountedPerExchange() {
        metrics.published("orders", Duration.ZERO);
        metrics.published("orders", Duration.ZERO);
        metrics.published("billing", Duration.ZERO);

        assertThat(published("orders")).isEqualTo(2);
        assertThat(published("billing")).isEqualTo(1);
        assertThat(counted("queue.message.published")).hasSize(2);
        assertThat(registry.find("queue.message.published").meters())
                .allSatisfy(m -> assertThat(m.getId().getType()).isEqualTo(Meter.Type.COUNTER));
    }

    @Test
    void defaultExchangeIsLabelledAmqDefault() {
        metrics.published("", Duration.ZERO);
        metrics.publishFailed("", PublishFailure.UNAVAILABLE);

        assertThat(published("amq.default")).isEqualTo(1);
        assertThat(failed("amq.default", "unavailable")).isEqualTo(1);
        assertThat(exchangeLabels("queue.message.published")).containsExactly("amq.default");
    }

    @Test
    void failuresAreCountedPerExchangeAndReason() {
        metrics.publishFailed("orders", PublishFailure.UNAVAILABLE);
        metrics.publishFailed("orders", PublishFailure.UNAVAILABLE);
        metrics.publishFailed("orders", PublishFailure.TIMEOUT);
        metrics.publishFailed("orders", PublishFailure.UNROUTABLE);
        metrics.publishFailed("billing", PublishFailure.NACKED);

        assertThat(failed("orders", "unavailable")).isEqualTo(2);
        assertThat(failed("orders", "timeout")).isEqualTo(1);
        assertThat(failed("orders", "unroutable")).isEqualTo(1);
        assertThat(failed("billing", "nacked")).isEqualTo(1);
        assertThat(counted("queue.message.publish.errors")).hasSize(4);
    }

    @Test
    void failuresDoNotCountAsPublished() {
        metrics.publishFailed("orders", PublishFailure.TIMEOUT);

        assertThat(counted("queue.message.published")).isEmpty();
    }

    @Test
    void reasonLabelsAreLowerCaseWords() {
        assertThat(List.of(PublishFailure.values()))
                .extracting(PublishFailure::label)
                .containsExactly("invalid", "not_found", "refused", "unroutable", "nacked", "timeout", "unavailable");
    }

    @Test
    void moreThan100ExchangesFoldIntoOther() {
        IntStream.range(0, 100).forEach(i -> metrics.published("exchange-" + i, Duration.ZERO));

        metrics.published("exchange-100", Duration.ZERO);
        metrics.published("exchange-101", Duration.ZERO);
        metrics.published("exchange-5", Duration.ZERO);

        assertThat(published("exchange-5"))
                .as("an exchange seen early keeps its label")
                .isEqualTo(2);
        assertThat(published("_other")).isEqualTo(2);
        assertThat(published("exchange-100")).isZero();
        assertThat(exchangeLabels("queue.message.published"))
                .as("100 exchanges, _other, and amq.default besides")
                .hasSize(102)
                .contains("amq.default")
                .doesNotContain("exchange-100", "exchange-101");
    }

    @Test
    void failuresShareTheExchangeLimit() {
        IntStream.range(0, 100).forEach(i -> metrics.published("exchange-" + i, Duration.ZERO));

        metrics.publishFailed("late-exchange", PublishFailure.TIMEOUT);
        metrics.publishFailed("exchange-7", PublishFailure.TIMEOUT);

        assertThat(failed("_other", "timeout")).isEqualTo(1);
        assertThat(failed("exchange-7", "timeout")).isEqualTo(1);
        assertThat(exchangeLabels("queue.message.publish.errors")).doesNotContain("late-exchange");
    }

    @Test
    void seriesCountStaysBoundedHoweverManyExchanges() {
        IntStream.range(0, 1000).forEach(i -> {
            metrics.published("x-" + i, Duration.ZERO);
            metrics.publishFailed("x-" + i, PublishFailure.UNAVAILABLE);
        });

        // 100 exchanges and _other, besides amq.default and the reasons known from the start
        assertThat(registry.find("queue.message.published").meters()).hasSize(101 + 1);
        assertThat(counted("queue.message.publish.errors")).hasSize(101);
        assertThat(registry.find("queue.message.publish.errors").meters())
                .hasSize(101 + PublishFailure.values().length);
        assertThat(published("_other")).isEqualTo(900);
    }
}
