package io.queueservice.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import io.queueservice.broker.BrokerTimeoutException;
import io.queueservice.broker.BrokerUnavailableException;
import io.queueservice.broker.KnownExchanges;
import io.queueservice.broker.OperationRefusedException;
import io.queueservice.broker.ResourceNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * What publishes waiting for the first one to an exchange do, by how the first one ended. The channels are
 * stand-ins that record what was sent where; the broker's answers are completed by hand.
 */
class FirstPublishGateTest {
    private final KnownExchanges known = new KnownExchanges();
    private final List<CompletableFuture<Void>> sentAlone = new ArrayList<>();
    private final List<OutgoingMessage> sentShared = new ArrayList<>();
    private final FirstPublishGate gate = new FirstPublishGate(
            known,
            m -> {
                sentShared.add(m);
                return CompletableFuture.completedFuture(null);
            },
            m -> {
                CompletableFuture<Void> answer = new CompletableFuture<>();
                sentAlone.add(answer);
                return answer;
            },
            Runnable::run);

    private static OutgoingMessage message(String exchange) {
        return new OutgoingMessage(exchange, "key", new byte[0], new AMQP.BasicProperties(), true);
    }

    private static Throwable failureOf(CompletableFuture<Void> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void whenTheFirstGoesThroughTheOthersShareTheChannels() {
        CompletableFuture<Void> first = gate.send(message("orders"));
        CompletableFuture<Void> waiting = gate.send(message("orders"));

        sentAlone.get(0).complete(null);

        assertThat(first).isCompleted();
        assertThat(waiting).isCompleted();
        assertThat(sentShared).hasSize(1);
        assertThat(known.isProven("orders")).isTrue();
    }

    @Test
    void aMissingExchangeIsTheAnswerOfEveryWaitingPublish() {
        gate.send(message("nope"));
        CompletableFuture<Void> waiting = gate.send(message("nope"));

        sentAlone.get(0).completeExceptionally(new ResourceNotFoundException("exchange", "nope"));

        assertThat(failureOf(waiting)).isInstanceOf(ResourceNotFoundException.class);
        assertThat(sentAlone).hasSize(1);
        assertThat(sentShared).isEmpty();
    }

    @Test
    void aForbiddenExchangeIsTheAnswerOfEveryWaitingPublish() {
        gate.send(message("internal"));
        CompletableFuture<Void> waiting = gate.send(message("internal"));

        sentAlone.get(0).completeExceptionally(new OperationRefusedException("internal exchange", true));

        assertThat(failureOf(waiting)).isInstanceOf(OperationRefusedException.class);
        assertThat(sentAlone).hasSize(1);
    }

    @Test
    void whenTheFirstTimesOutTheOthersAreNotSent() {
        gate.send(message("slow"));
        CompletableFuture<Void> waiting = gate.send(message("slow"));

        sentAlone.get(0).completeExceptionally(new BrokerTimeoutException("no confirm"));

        assertThat(failureOf(waiting))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("could not learn in time");
        assertThat(sentAlone).hasSize(1);
        assertThat(sentShared).isEmpty();
    }

    /** Found by the fuzzer: a first publish refused for its own content made valid ones behind it get 503. */
    @Test
    void whenTheFirstFailsForAReasonOfItsOwnTheNextGoesFirstInTurn() {
        gate.send(message(""));
        CompletableFuture<Void> waiting = gate.send(message(""));

        sentAlone.get(0).completeExceptionally(new OperationRefusedException("invalid expiration", false));

        assertThat(sentAlone).as("the waiting publish was sent alone in turn").hasSize(2);
        assertThat(waiting).isNotDone();
        sentAlone.get(1).complete(null);
        assertThat(waiting).isCompleted();
        assertThat(known.isProven("")).isTrue();
    }

    @Test
    void whenTheFirstLostItsChannelTheNextGoesFirstInTurn() {
        gate.send(message("orders"));
        CompletableFuture<Void> waiting = gate.send(message("orders"));

        sentAlone.get(0).completeExceptionally(new BrokerUnavailableException("channel closed", Duration.ofSeconds(1)));

        assertThat(sentAlone).hasSize(2);
        sentAlone.get(1).complete(null);
        assertThat(waiting).isCompleted();
    }
}
