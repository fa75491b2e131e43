package io.queueservice.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.impl.AMQImpl;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class BrokerErrorsTest {

    /** What the client library throws when the broker closes a channel. */
    private static ShutdownSignalException channelClosed(int code, String text) {
        return new ShutdownSignalException(false, false, new AMQImpl.Channel.Close(code, text, 50, 10), null);
    }

    /** What the client library throws when the broker closes the whole connection. */
    private static ShutdownSignalException connectionClosed(int code, String text) {
        return new ShutdownSignalException(true, false, new AMQImpl.Connection.Close(code, text, 0, 0), null);
    }

    /** A synchronous call (queueDeclare, ...) on a channel the broker closed: an IOException around the signal. */
    private static IOException rpcFailed(ShutdownSignalException signal) {
        return new IOException(signal);
    }

    @Test
    void missingQueueIsNotFoundWithKindAndName() {
        BrokerException e =
                BrokerErrors.translate(rpcFailed(channelClosed(404, "NOT_FOUND - no queue 'orders' in vhost '/'")));

        assertThat(e).isInstanceOfSatisfying(ResourceNotFoundException.class, nf -> {
            assertThat(nf.kind()).isEqualTo("queue");
            assertThat(nf.name()).isEqualTo("orders");
            assertThat(nf.getMessage()).isEqualTo("queue 'orders' does not exist");
        });
    }

    @Test
    void missingExchangeIsNotFoundWithKindAndName() {
        BrokerException e =
                BrokerErrors.translate(channelClosed(404, "NOT_FOUND - no exchange 'events' in vhost 'prod'"));

        assertThat(e).isInstanceOfSatisfying(ResourceNotFoundException.class, nf -> {
            assertThat(nf.kind()).isEqualTo("exchange");
            assertThat(nf.name()).isEqualTo("events");
        });
    }

    @Test
    void nameWithQuotesAndSpacesIsKeptWhole() {
        BrokerException e =
                BrokerErrors.translate(channelClosed(404, "NOT_FOUND - no queue 'it's a queue' in vhost '/'"));

        assertThat(e)
                .isInstanceOfSatisfying(
                        ResourceNotFoundException.class,
                        nf -> assertThat(nf.name()).isEqualTo("it's a queue"));
    }

    @Test
    void notFoundWithUnknownTextIsStillNotFound() {
        BrokerException e = BrokerErrors.translate(channelClosed(404, "NOT_FOUND - something else"));

        assertThat(e).isInstanceOfSatisfying(ResourceNotFoundException.class, nf -> {
            assertThat(nf.kind()).isEqualTo("resource");
            assertThat(nf.name()).isEqualTo("something else");
        });
    }

    @Test
    void inequivalentArgumentIsAConflictNamingTheArgument() {
        BrokerException e = BrokerErrors.translate(rpcFailed(channelClosed(
                406,
                "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'orders' in vhost '/':"
                        + " received the value '2000' of type 'signedint' but current is none")));

        assertThat(e).isInstanceOfSatisfying(ResourceConflictException.class, c -> {
            assertThat(c.argument()).contains("x-message-ttl");
            assertThat(c.getMessage())
                    .contains("x-message-ttl")
                    .contains("orders")
                    .doesNotStartWith("PRECONDITION_FAILED");
        });
    }

    @Test
    void inequivalentDurabilityIsAConflictNamingIt() {
        BrokerException e = BrokerErrors.translate(
                channelClosed(
                        406,
                        "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'orders' in vhost '/': received 'false' but current is 'true'"));

        assertThat(e)
                .isInstanceOfSatisfying(
                        ResourceConflictException.class,
                        c -> assertThat(c.argument()).contains("durable"));
    }

    @Test
    void queueInUseIsAConflict() {
        BrokerException e =
                BrokerErrors.translate(channelClosed(406, "PRECONDITION_FAILED - queue 'orders' in vhost '/' in use"));

        assertThat(e).isInstanceOfSatisfying(ResourceConflictException.class, c -> {
            assertThat(c.argument()).isEmpty();
            assertThat(c.getMessage()).isEqualTo("queue 'orders' in vhost '/' in use");
        });
    }

    @Test
    void queueNotEmptyIsAConflict() {
        BrokerException e = BrokerErrors.translate(
                channelClosed(406, "PRECONDITION_FAILED - queue 'orders' in vhost '/' not empty"));

        assertThat(e)
                .isInstanceOfSatisfying(
                        ResourceConflictException.class,
                        c -> assertThat(c.argument()).isEmpty());
    }

    @Test
    void exchangeInUseIsAConflict() {
        assertThat(BrokerErrors.translate(
                        channelClosed(406, "PRECONDITION_FAILED - exchange 'events' in vhost '/' in use")))
                .isInstanceOf(ResourceConflictException.class);
    }

    @Test
    void otherPreconditionFailureIsARefusalNotForbidden() {
        BrokerException e = BrokerErrors.translate(
                channelClosed(
                        406,
                        "PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'orders' in vhost '/': {unsupported_value,<<\"foo\">>}"));

        assertThat(e).isInstanceOfSatisfying(OperationRefusedException.class, r -> {
            assertThat(r.forbidden()).isFalse();
            assertThat(r.getMessage()).startsWith("invalid arg 'x-overflow'");
        });
    }

    @Test
    void accessRefusedIsForbidden() {
        BrokerException e = BrokerErrors.translate(rpcFailed(
                channelClosed(403, "ACCESS_REFUSED - access to queue 'orders' in vhost '/' refused for user 'app'")));

        assertThat(e).isInstanceOfSatisfying(OperationRefusedException.class, r -> {
            assertThat(r.forbidden()).isTrue();
            assertThat(r.getMessage()).isEqualTo("access to queue 'orders' in vhost '/' refused for user 'app'");
        });
    }

    @Test
    void resourceLockedIsAConflict() {
        BrokerException e = BrokerErrors.translate(channelClosed(
                405, "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'orders' in vhost '/'"));

        assertThat(e).isInstanceOfSatisfying(ResourceConflictException.class, c -> {
            assertThat(c.argument()).isEmpty();
            assertThat(c.getMessage()).contains("exclusive access");
        });
    }

    @Test
    void otherChannelErrorIsARefusal() {
        BrokerException e =
                BrokerErrors.translate(channelClosed(540, "NOT_IMPLEMENTED - queue type stream not supported here"));

        assertThat(e)
                .isInstanceOfSatisfying(
                        OperationRefusedException.class,
                        r -> assertThat(r.forbidden()).isFalse());
    }

    @Test
    void textWithoutCodePrefixIsKept() {
        BrokerException e = BrokerErrors.translate(channelClosed(403, "no permission"));

        assertThat(e).hasMessage("no permission");
    }

    @Test
    void connectionLevelCloseIsUnavailable() {
        BrokerException e = BrokerErrors.translate(rpcFailed(
                connectionClosed(320, "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'")));

        assertThat(e).isInstanceOfSatisfying(BrokerUnavailableException.class, u -> {
            assertThat(u.retryAfter()).isPositive();
            assertThat(u.getMessage()).doesNotContain("CONNECTION_FORCED").contains("lost");
        });
    }

    @Test
    void hardErrorIsUnavailableEvenWithAChannelLevelCode() {
        // A hard error closes the connection, whatever the code: the request itself was not at fault.
        ShutdownSignalException hard = new ShutdownSignalException(
                true, false, new AMQImpl.Connection.Close(404, "NOT_FOUND - odd", 0, 0), null);

        assertThat(BrokerErrors.translate(hard)).isInstanceOf(BrokerUnavailableException.class);
    }

    @Test
    void operationOnClosedConnectionIsUnavailable() {
        AlreadyClosedException closed =
                new AlreadyClosedException(connectionClosed(320, "CONNECTION_FORCED - shutdown"));

        assertThat(BrokerErrors.translate(closed))
                .isInstanceOfSatisfying(
                        BrokerUnavailableException.class,
                        u -> assertThat(u.getMessage()).contains("closed"));
    }

    @Test
    void signalWithoutReasonIsUnavailable() {
        ShutdownSignalException noReason = new ShutdownSignalException(false, false, null, null);

        assertThat(BrokerErrors.translate(noReason)).isInstanceOf(BrokerUnavailableException.class);
    }

    @Test
    void timeoutInsideAnIOExceptionIsABrokerTimeout() {
        assertThat(BrokerErrors.translate(new IOException(new TimeoutException("rpc timed out"))))
                .isInstanceOf(BrokerTimeoutException.class);
    }

    @Test
    void plainTimeoutIsABrokerTimeout() {
        assertThat(BrokerErrors.translate(new TimeoutException())).isInstanceOf(BrokerTimeoutException.class);
    }

    @Test
    void channelCloseInsideACompletionExceptionIsStillRecognised() {
        BrokerException e = BrokerErrors.translate(
                new CompletionException(rpcFailed(channelClosed(404, "NOT_FOUND - no exchange 'x' in vhost '/'"))));

        assertThat(e).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void anyOtherFailureIsUnavailableKeepingTheCause() {
        ConnectException refused = new ConnectException("Connection refused");

        BrokerException e = BrokerErrors.translate(refused);

        assertThat(e)
                .isInstanceOfSatisfying(
                        BrokerUnavailableException.class,
                        u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(1)))
                .hasCause(refused);
    }

    @Test
    void brokerExceptionPassesThroughUnchanged() {
        BrokerException original = new ResourceNotFoundException("queue", "q");

        assertThat(BrokerErrors.translate(original)).isSameAs(original);
    }

    @Test
    void brokerExceptionSubclassesPassThroughUnchanged() {
        BrokerException original = new BrokerUnavailableException("blocked", Duration.ofSeconds(5));

        assertThat(BrokerErrors.translate(original)).isSameAs(original);
    }

    /**
     * A channel this process closed itself (reply 200 "OK", initiated by the application), for instance a
     * publishing channel closed at shutdown while a publish reaches it: the request was fine, the service
     * could not carry it out. It must not be told "refused by the broker: OK" (HTTP 400).
     */
    @Test
    void channelClosedByTheApplicationIsUnavailableNotARefusal() {
        ShutdownSignalException ours =
                new ShutdownSignalException(false, true, new AMQImpl.Channel.Close(200, "OK", 0, 0), null);

        assertThat(BrokerErrors.translate(new AlreadyClosedException(ours)))
                .isInstanceOf(BrokerUnavailableException.class);
    }
}
