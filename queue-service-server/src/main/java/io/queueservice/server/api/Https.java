package io.queueservice.server.api;

import io.queueservice.config.PemFiles;
import io.queueservice.config.TlsContexts;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import java.security.GeneralSecurityException;
import java.util.LinkedHashSet;

/**
 * HTTPS for the API: with {@code HTTPS_CERT_PATH} and {@code HTTPS_KEY_PATH} set, {@code PORT} serves
 * HTTPS instead of HTTP (one port, one protocol: no plain HTTP left beside it by mistake).
 *
 * <p>The key material comes from {@link TlsContexts}, like the broker's, and the same protocol versions
 * are accepted. No client certificates are asked for: callers authenticate with their token. There is one
 * certificate, not one per name: a client reaching us by another name (an IP address, a load balancer's
 * name) decides itself whether it trusts it.
 */
final class Https {
    private Https() {}

    /** Turns TLS on in {@code options} with {@code identity}'s certificate and key. */
    static void serve(HttpServerOptions options, PemFiles.Identity identity) {
        try {
            options.setSsl(true)
                    .setKeyCertOptions(KeyCertOptions.wrap(TlsContexts.keys(identity)))
                    .setEnabledSecureTransportProtocols(new LinkedHashSet<>(TlsContexts.PROTOCOLS));
        } catch (GeneralSecurityException e) {
            // The files were read and checked at startup; this would be a JDK without PKCS12 or TLS.
            throw new IllegalStateException("cannot serve HTTPS with " + identity + ": " + e.getMessage(), e);
        }
    }
}
