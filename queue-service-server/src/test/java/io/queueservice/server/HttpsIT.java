package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queueservice.config.PemFiles;
import io.queueservice.config.TlsContexts;
import io.queueservice.testing.SharedBroker;
import io.queueservice.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API served over HTTPS with a certificate made for this run. */
class HttpsIT {
    @TempDir
    static Path dir;

    private static TestCertificates ca;
    private static QueueService service;

    @BeforeAll
    static void startOverHttps() {
        ca = TestCertificates.newAuthority(dir, "https-ca");
        TestCertificates.Issued cert = ca.server("api", List.of("localhost", "127.0.0.1"));
        service = QueueService.start(ServerConfig.from(Map.of(
                "AUTH_MODE",
                "none",
                "RABBITMQ_URL",
                SharedBroker.url(),
                "HOST",
                "127.0.0.1",
                "PORT",
                "0",
                "HTTPS_CERT_PATH",
                cert.certFile().toString(),
                "HTTPS_KEY_PATH",
                cert.keyFile().toString())));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.stop();
        }
    }

    private static HttpClient trusting(List<Path> cas) throws Exception {
        List<java.security.cert.X509Certificate> trusted = new java.util.ArrayList<>();
        for (Path p : cas) {
            trusted.addAll(PemFiles.readCertificates(p));
        }
        SSLContext context = TlsContexts.forClient(trusted, Optional.empty());
        return HttpClient.newBuilder()
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static HttpRequest get(String scheme, String host) {
        return HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":" + service.port() + "/healthz"))
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    void healthIsServedOverHttpsToAClientTrustingTheCertificate() throws Exception {
        try (HttpClient client = trusting(List.of(ca.caFile()))) {
            HttpResponse<String> byName = client.send(get("https", "localhost"), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> byIp = client.send(get("https", "127.0.0.1"), HttpResponse.BodyHandlers.ofString());

            assertThat(byName.statusCode()).isEqualTo(200);
            assertThat(byName.sslSession())
                    .hasValueSatisfying(s -> assertThat(s.getProtocol()).isIn("TLSv1.3", "TLSv1.2"));
            assertThat(byIp.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
        TestCertificates stranger = TestCertificates.newAuthority(dir, "stranger-ca");
        try (HttpClient client = trusting(List.of(stranger.caFile()))) {
            assertThatThrownBy(() -> client.send(get("https", "localhost"), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void plainHttpIsNotServedOnTheHttpsPort() {
        try (HttpClient client = HttpClient.newHttpClient()) {
            // The server answers a plain request on a TLS port with a bare 400, or the connection just ends.
            try {
                HttpResponse<String> r = client.send(get("http", "127.0.0.1"), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(r.body()).doesNotContain("\"status\"");
            } catch (IOException e) {
                assertThat(e).isNotInstanceOf(java.net.ConnectException.class);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
