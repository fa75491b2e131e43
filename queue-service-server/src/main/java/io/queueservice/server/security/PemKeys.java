package io.queueservice.server.security;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the public key of {@code JWT_PUBLIC_KEY_PATH}: a PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo, as
 * {@code openssl pkey -pubout} writes it) or a PEM {@code CERTIFICATE}, holding an RSA or EC key. Done
 * with the JDK alone, so no PEM library is needed.
 */
final class PemKeys {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN (PUBLIC KEY|CERTIFICATE)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PemKeys() {}

    /** @throws IllegalArgumentException saying what is wrong (never quoting the file) */
    static PublicKey parse(String pem) {
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException(
                    "holds no PEM public key (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("holds a PEM block that is not valid base64");
        }
        try {
            if (m.group(1).equals("CERTIFICATE")) {
                return CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der))
                        .getPublicKey();
            }
            X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
            for (String algorithm : new String[] {"RSA", "EC"}) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePublic(spec);
                } catch (GeneralSecurityException tryNext) {
                    // not this kind of key
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("holds a certificate that cannot be read");
        }
        throw new IllegalArgumentException("holds a public key that is neither RSA nor EC");
    }

    /** The bit length of an EC key's curve order: 256 (P-256), 384 (P-384) or 521 (P-521). */
    static int curveBits(ECPublicKey key) {
        return key.getParams().getOrder().bitLength();
    }
}
