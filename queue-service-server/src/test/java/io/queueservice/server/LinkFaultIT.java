package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.FreePorts;
import io.queueservice.testing.SharedBroker;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * Faults on the link between the service and the broker, made with an in-process TCP proxy in front of
 * the shared broker (the broker itself is never touched). The last two tests are scenario 4 of the fault
 * suite: the same faults under load ({@link PublishLoad}), with a {@code RELIABILITY} row each for
 * docs/reliability.md.
 */
class LinkFaultIT {
    /** The service's confirm timeout here: a publish whose confirm does not come is answered 504 after it. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    /** Short, so a frozen link is noticed in seconds: the client gives up after two missed heartbeats. */
    private static final int HEARTBEAT_SECONDS = 2;

    /** No request may take longer: the confirm timeout and a margin for a loaded machine. */
    private static final Duration HANG_BOUND = REQUEST_TIMEOUT.plusSeconds(3);

    /** A refused publish is answered well within the confirm timeout: it fails fast, it does not wait. */
    private static final Duration FAST = Duration.ofMillis(900);

    /** The stated recovery bound: publishes are accepted again within this after the fault ends. */
    private static final Duration RECOVERY = Duration.ofSeconds(20);

    private NioReactor reactor;
    private TcpCrusher proxy;
    private BrokerProbe broker;
    private RunningService service;
    private ApiClient api;
    private String queue;

    @BeforeEach
    void start() throws IOException {
        URI shared = URI.create(SharedBroker.url());
        int port = FreePorts.one();
        reactor = new NioReactor();
        proxy = TcpCrusherBuilder.builder()
                .withReactor(reactor)
                .withBindAddress("127.0.0.1", port)
                .withConnectAddress(shared.getHost(), shared.getPort() == -1 ? 5672 : shared.getPort())
                .buildAndOpen();
        broker = new BrokerProbe(SharedBroker.url());
        String viaProxy = SharedBroker.url().replaceFirst("@[^/]+", "@127.0.0.1:" + port);
        service = RunningService.start(
                viaProxy,
                Map.of(
                        "REQUEST_TIMEOUT",
                        Long.toString(REQUEST_TIMEOUT.toMillis()),
                        "RABBITMQ_HEARTBEAT",
                        Integer.toString(HEARTBEAT_SECONDS)));
        api = service.api();
        queue = broker.queue(uniqueName("q"));
        assertThat(api.post("/api/v1/queues", json(Map.of("name", queue))).status())
                .isEqualTo(201);
        assertThat(publish("before")).isEqualTo(202);
    }

    @AfterEach
    void stop() {
        service.close();
        proxy.close();
        reactor.close();
        broker.close();
    }

    private int publish(String message) {
        return api.publish(json(Map.of("routingKey", queue, "message", message)))
                .status();
    }

    @Test
    void confirmNotReceivedInTimeIsGatewayTimeout() {
        proxy.freezeAllPairs();
        long started = System.nanoTime();

        Response r = api.publish(json(Map.of("routingKey", queue, "message", "frozen")));

        assertThat(r.status()).as(r.body()).isEqualTo(504);
        assertThat(r.problem().type()).isEqualTo("urn:queue-service:problem:timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

        proxy.unfreezeAllPairs();
        assertThat(publish("after")).isEqualTo(202);
        // The frozen message was written before the freeze lifted: the broker has it, as the 504 warned.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(broker.drain(queue)).contains("\"after\""));
    }

    @Test
    void droppedConnectionFailsFastThenRecoversByItself() {
        proxy.closeAllPairs();

        // Until the service has reconnected, publishes fail fast with 503 and Retry-After; never 2xx.
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    long started = System.nanoTime();
                    Response r = api.publish(json(Map.of("routingKey", queue, "message", "during")));
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
                    if (r.status() == 503) {
                        assertThat(r.header("Retry-After")).isPresent();
                    } else {
                        assertThat(r.status()).as(r.body()).isEqualTo(202);
                    }
                    return r.status() == 202;
                });
        assertThat(api.get("/healthz/ready").status()).isEqualTo(200);
    }

    @Test
    void connectionDroppedUnderLoadFailsFastAndLosesNothingAccepted() {
        PublishLoad load = PublishLoad.start(api, "", queue, 4, 100_000, queue + "-drop", HANG_BOUND);
        try {
            load.awaitMoreAccepted(200, Duration.ofSeconds(30));

            Instant faultAt = Instant.now();
            proxy.closeAllPairs(); // the proxy accepts new connections at once: the fault ends as it starts
            Duration recovery = load.awaitRecovery(faultAt, RECOVERY);
            // Once a 2xx came back, every request sent later must be 2xx too.
            Instant recoveredAt = load.firstAcceptedAfter(faultAt).orElseThrow().answeredAt();
            load.awaitMoreAccepted(300, Duration.ofSeconds(30));
            PublishLoad.Result result = load.stop();

            PublishLoad.Verdict.of("4 link dropped under load", result, broker.drain(queue), recovery)
                    .report()
                    .assertPassed(Set.of(202, 503));
            load.assertFast503s(FAST);
            // Requests racing the reconnection may still get a fast 503 (checked above), never a timeout.
            assertThat(load.failedSentAfter(recoveredAt))
                    .as("requests sent after a 2xx came back again, and timed out")
                    .noneMatch(a -> a.status() == 504 || a.status() == 0);
        } finally {
            load.close();
        }
    }

    @Test
    void linkFrozenPastTheHeartbeatUnderLoadFailsFastOnceNoticedAndRecovers() {
        PublishLoad load = PublishLoad.start(api, "", queue, 4, 100_000, queue + "-freeze", HANG_BOUND);
        try {
            load.awaitMoreAccepted(200, Duration.ofSeconds(30));

            Instant faultAt = Instant.now();
            proxy.freeze(); // every byte held, and new connections not accepted: a dead link, not a closed one
            Instant noticedAt;
            try {
                // Held until the missed heartbeats told the service the link is dead, and one more heartbeat.
                await().atMost(Duration.ofSeconds(6 * HEARTBEAT_SECONDS))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> api.get("/healthz/ready").status() == 503
                                && firstRefusalAfter(load, faultAt).isPresent());
                // The publish connection's own heartbeat noticed (the admin connection's may do so earlier).
                noticedAt = firstRefusalAfter(load, faultAt).orElseThrow();
                await().pollDelay(Duration.ofSeconds(HEARTBEAT_SECONDS)).until(() -> true);
            } finally {
                proxy.unfreeze();
            }
            Instant healedAt = Instant.now();
            System.out.println("RELIABILITY link frozen for "
                    + Duration.between(faultAt, healedAt).toMillis() + " ms, noticed after "
                    + Duration.between(faultAt, noticedAt).toMillis() + " ms");

            Duration recovery = load.awaitRecovery(healedAt, RECOVERY);
            Instant recoveredAt =
                    load.firstAcceptedAfter(healedAt).orElseThrow().sentAt();
            load.awaitMoreAccepted(300, Duration.ofSeconds(30));
            PublishLoad.Result result = load.stop();

            PublishLoad.Verdict.of("4 link frozen past the heartbeat under load", result, broker.drain(queue), recovery)
                    .report()
                    .assertPassed(Set.of(202, 503, 504));
            // 504 only while the link was frozen and not yet known dead: a confirm that could not come.
            assertThat(load.attempts())
                    .filteredOn(a -> a.status() == 504)
                    .allMatch(a -> a.sentAt().isBefore(noticedAt), "sent before the dead link was noticed");
            load.assertFast503s(FAST);
            // A confirm waited for on a dead channel would be a 504 here. Requests racing the reconnection
            // may still get a fast 503 "not connected" (checked above).
            assertThat(load.failedSentAfter(recoveredAt))
                    .as("requests sent after a 2xx came back again, and timed out")
                    .noneMatch(a -> a.status() == 504 || a.status() == 0);
        } finally {
            load.close();
        }
    }

    /** When the first publish sent after {@code instant} was refused with 503. */
    private static Optional<Instant> firstRefusalAfter(PublishLoad load, Instant instant) {
        return load.attempts().stream()
                .filter(a -> a.status() == 503 && a.sentAt().isAfter(instant))
                .map(PublishLoad.Attempt::sentAt)
                .min(Instant::compareTo);
    }
}
