package io.queueservice.server.api;

import io.javalin.config.JavalinConfig;
import io.queueservice.config.PemFiles;
import io.queueservice.config.TlsContexts;
import io.queueservice.server.ServerConfig;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * HTTPS for the API: with {@code HTTPS_CERT_PATH} and {@code HTTPS_KEY_PATH} set, {@code PORT} serves
 * HTTPS instead of HTTP (one port, one protocol: no plain HTTP left beside it by mistake).
 *
 * <p>The TLS context comes from {@link TlsContexts#forServer}, like the broker's, so both accept the same
 * protocol versions. No client certificates are asked for: callers authenticate with their token.
 */
final class Https {
    private Https() {}

    /** Replaces Javalin's HTTP connector by an HTTPS one when the configuration asks for it. */
    static void serveIfConfigured(JavalinConfig c, ServerConfig config) {
        config.https().ifPresent(identity -> {
            SSLContext context = context(identity);
            // Javalin adds its own HTTP connector only when none was added here.
            c.jetty.addConnector((server, http) -> connector(server, http, context, config.host(), config.port()));
        });
    }

    private static ServerConnector connector(
            Server server, HttpConfiguration http, SSLContext context, String host, int port) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(context);
        tls.setIncludeProtocols(TlsContexts.PROTOCOLS.toArray(String[]::new));
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // There is one certificate, not one per name: a client reaching us by another name (an IP address,
        // a load balancer's name) decides itself whether it trusts it, so Jetty need not refuse the request.
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(
                server,
                new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }

    private static SSLContext context(PemFiles.Identity identity) {
        try {
            return TlsContexts.forServer(identity);
        } catch (GeneralSecurityException e) {
            // The files were read and checked at startup; this would be a JDK without PKCS12 or TLS.
            throw new IllegalStateException("cannot serve HTTPS with " + identity + ": " + e.getMessage(), e);
        }
    }
}
