package io.queueservice.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.queueservice.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over HTTPS the deliverer connects to the address it checked, yet speaks to the host by name: SNI and the
 * Host header carry the name, and the certificate must be valid for it (an HTTPS receiver on 127.0.0.1 with
 * a certificate of a test authority, its name resolved by the test).
 */
class PushHttpsIT {
    @TempDir
    Path dir;

    /** An HTTPS receiver answering 204, recording the SNI name and Host header of each request. */
    private record Tls(HttpServer server, List<String> seen) {}

    private static Tls receiver(Vertx vertx, TestCertificates.Issued cert) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                        .setSsl(true)
                        .setSni(true)
                        .setKeyCertOptions(new PemKeyCertOptions()
                                .setCertPath(cert.certFile().toString())
                                .setKeyPath(cert.keyFile().toString())))
                .requestHandler(req -> req.body().onComplete(b -> {
                    seen.add(req.connection().indicatedServerName() + " " + req.authority());
                    req.response().setStatusCode(204).end();
                }));
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new Tls(server, seen);
    }

    @Test
    void sniHostAndCertificateUseTheNameWhileTheConnectionGoesToTheCheckedAddress() throws Exception {
        TestCertificates ca = TestCertificates.newAuthority(dir, "push-test-ca");
        AddressGuard.Resolver dns = host -> switch (host) {
            case "push.test", "wrong.test" -> new InetAddress[] {InetAddress.getByName("127.0.0.1")};
            default -> InetAddress.getAllByName(host);
        };
        try (PushFixture fixture = new PushFixture()
                .set("PUSH_ALLOW_HTTP", "false")
                .set("PUSH_ALLOWED_HOSTS", "push.test,wrong.test")
                .set("PUSH_CA_PATH", ca.caFile().toString())) {
            Tls good = receiver(fixture.vertx, ca.server("push", List.of("push.test")));
            Tls bad = receiver(fixture.vertx, ca.server("other", List.of("other.test")));
            PushSubscriptions push = fixture.instance(dns);

            String queue = fixture.queue("push-https");
            int port = good.server().actualPort();
            push.subscriptions()
                    .create(new SubscriptionRequest(
                            "tls", queue, "https://push.test:" + port + "/in", null, 5, 10_000, 2, null));
            fixture.publish(queue, 3, "tls");
            await().atMost(Duration.ofSeconds(15))
                    .alias("3 deliveries; last error: "
                            + push.subscriptions().get("tls").lastError())
                    .until(() -> good.seen().size() == 3);
            assertThat(good.seen()).containsOnly("push.test push.test:" + port);
            await().atMost(Duration.ofSeconds(5)).until(() -> fixture.depth(queue) == 0);

            // A certificate that does not name the host: no delivery.
            String other = fixture.queue("push-https-wrong");
            push.subscriptions()
                    .create(new SubscriptionRequest(
                            "tls-wrong",
                            other,
                            "https://wrong.test:" + bad.server().actualPort() + "/in",
                            null,
                            2,
                            2000,
                            1,
                            null));
            fixture.publish(other, 1, "wrong");
            await().atMost(Duration.ofSeconds(15)).until(() -> fixture.depth(other + ".dlq") == 1);
            assertThat(bad.seen()).isEmpty();
            assertThat(push.subscriptions().get("tls-wrong").lastError().cause())
                    .contains("connection failed");
        }
    }
}
