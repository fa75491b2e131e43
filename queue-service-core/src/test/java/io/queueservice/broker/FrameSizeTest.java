package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.rabbitmq.client.AMQP;
import io.queueservice.validation.InvalidRequestException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression found by the hostile-input fuzzer (HostileInputIT): a binding with a 200 KB argument made
 * RabbitMQ close the service's whole admin connection (FRAME_ERROR frame_too_large), failing every other
 * request in flight on it. Arguments and headers that do not fit in one frame are now refused up front.
 */
class FrameSizeTest {
    private static final int RABBITMQ_DEFAULT_FRAME_MAX = 131_072;

    private static AMQP.Queue.Bind bind(int argumentBytes) {
        return new AMQP.Queue.Bind.Builder()
                .queue("q")
                .exchange("x")
                .routingKey("rk")
                .arguments(Map.of("big", "s".repeat(argumentBytes)))
                .build();
    }

    @Test
    void aMethodLargerThanTheFrameIsRefusedNamingTheField() {
        InvalidRequestException e = catchThrowableOfType(
                InvalidRequestException.class,
                () -> FrameSize.check(RABBITMQ_DEFAULT_FRAME_MAX, bind(200_000), "arguments"));

        assertThat(e.violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("arguments");
            assertThat(v.message()).contains("frame_max").contains("131072");
        });
    }

    @Test
    void aMethodThatFitsPassesAndNoFrameMaxMeansNoLimit() {
        assertThatCode(() -> FrameSize.check(RABBITMQ_DEFAULT_FRAME_MAX, bind(100_000), "arguments"))
                .doesNotThrowAnyException();
        assertThatCode(() -> FrameSize.check(0, bind(1_000_000), "arguments")).doesNotThrowAnyException();
    }

    @Test
    void theLimitIsTheWholeFrameIncludingItsEightBytesOfFraming() throws Exception {
        int size = ((com.rabbitmq.client.impl.Method) bind(1000)).toFrame(0).size();
        assertThatCode(() -> FrameSize.check(size, bind(1000), "arguments")).doesNotThrowAnyException();
        assertThat(catchThrowableOfType(
                        InvalidRequestException.class, () -> FrameSize.check(size - 1, bind(1000), "arguments")))
                .isNotNull();
    }

    @Test
    void messageHeadersLargerThanTheFrameAreRefusedButTheBodyMayBeAnySize() {
        AMQP.BasicProperties big = new AMQP.BasicProperties.Builder()
                .headers(Map.of("h", "v".repeat(200_000)))
                .build();
        AMQP.BasicProperties small = new AMQP.BasicProperties.Builder()
                .headers(Map.of("h", "v"))
                .messageId("id")
                .build();

        assertThat(catchThrowableOfType(
                        InvalidRequestException.class,
                        () -> FrameSize.checkProperties(RABBITMQ_DEFAULT_FRAME_MAX, big, 10, "options.headers")))
                .isNotNull();
        assertThatCode(() ->
                        FrameSize.checkProperties(RABBITMQ_DEFAULT_FRAME_MAX, small, 50_000_000, "options.headers"))
                .doesNotThrowAnyException();
    }
}
