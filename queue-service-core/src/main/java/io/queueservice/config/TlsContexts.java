package io.queueservice.config;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The one place where TLS contexts are built, for the broker connection and for HTTPS, so both get the
 * same rules: TLS 1.3 and 1.2 only, certificates checked by the JDK's PKIX validation.
 *
 * <p>The key material comes from {@link PemFiles}; it is put in in-memory key stores that never touch
 * the disk.
 */
public final class TlsContexts {
    /** The protocol versions offered and accepted; older ones have known weaknesses. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private TlsContexts() {}

    /**
     * A context for connecting to a server: its certificate must chain to one of {@code trusted} (to the
     * JDK's default trust store when empty), and {@code identity}, when present, is presented as the
     * client certificate.
     */
    public static SSLContext forClient(List<X509Certificate> trusted, Optional<PemFiles.Identity> identity)
            throws GeneralSecurityException {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trusted.isEmpty()) {
            trust.init((KeyStore) null); // the JDK's cacerts
        } else {
            KeyStore store = emptyKeyStore();
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            trust.init(store);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(identity.isPresent() ? keyManagers(identity.get()) : null, trust.getTrustManagers(), null);
        return context;
    }

    /**
     * The parameters of a client socket: {@link #PROTOCOLS}, and the server's host name (or IP address)
     * checked against its certificate as HTTPS does (subject alternative names).
     */
    public static SSLParameters clientParameters(SSLContext context) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    private static KeyManager[] keyManagers(PemFiles.Identity identity) throws GeneralSecurityException {
        return keys(identity).getKeyManagers();
    }

    /**
     * Key managers presenting {@code identity}'s certificate: a server's (HTTPS; no client certificates asked
     * for), or a client's certificate.
     */
    public static KeyManagerFactory keys(PemFiles.Identity identity) throws GeneralSecurityException {
        // The store's password protects nothing (the store lives in memory only) but must not be empty.
        char[] password = "in-memory".toCharArray();
        KeyStore store = emptyKeyStore();
        store.setKeyEntry("identity", identity.key(), password, identity.chain().toArray(X509Certificate[]::new));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        return keys;
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException("cannot create an in-memory key store", e);
        }
        return store;
    }
}
