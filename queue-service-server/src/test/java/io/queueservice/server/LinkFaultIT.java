package io.queueservice.server;

import static io.queueservice.server.ApiClient.json;
import static io.queueservice.testing.SharedBroker.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.server.ApiClient.Response;
import io.queueservice.testing.SharedBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * Faults on the link between the service and the broker, made with an in-process TCP proxy in front of
 * the shared broker (the broker itself is never touched).
 */
class LinkFaultIT {
    private NioReactor reactor;
    private TcpCrusher proxy;
    private BrokerProbe broker;
    private RunningService service;
    private ApiClient api;
    private String queue;

    @BeforeEach
    void start() throws IOException {
        URI shared = URI.create(SharedBroker.url());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        reactor = new NioReactor();
        proxy = TcpCrusherBuilder.builder()
                .withReactor(reactor)
                .withBindAddress("127.0.0.1", port)
                .withConnectAddress(shared.getHost(), shared.getPort() == -1 ? 5672 : shared.getPort())
                .buildAndOpen();
        broker = new BrokerProbe(SharedBroker.url());
        String viaProxy = SharedBroker.url().replaceFirst("@[^/]+", "@127.0.0.1:" + port);
        service = RunningService.start(viaProxy, Map.of("REQUEST_TIMEOUT", "1000"));
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
}
