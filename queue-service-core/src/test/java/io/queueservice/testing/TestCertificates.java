package io.queueservice.testing;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for tests: it issues server and client certificates, written as
 * PEM files into a folder of the test's own. Everything is generated in the test run, in process, so no
 * private key is ever committed.
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.newAuthority(dir, "test-ca");
 * TestCertificates.Issued server = ca.server("broker", List.of("localhost"));
 * TestCertificates.Issued client = ca.client("app", "queue-service", KeyFormat.PKCS1);
 * }</pre>
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** How a private key is written. */
    public enum KeyFormat {
        /** {@code -----BEGIN PRIVATE KEY-----} */
        PKCS8,
        /** {@code -----BEGIN RSA PRIVATE KEY-----} (what {@code openssl genrsa} wrote before OpenSSL 3) */
        PKCS1
    }

    /** An issued certificate and its key, in memory and as PEM files. */
    public record Issued(Path certFile, Path keyFile, X509Certificate certificate, PrivateKey key) {}

    private final Path dir;
    private final Issued authority;

    private TestCertificates(Path dir, Issued authority) {
        this.dir = dir;
        this.authority = authority;
    }

    /** A new self-signed CA, its certificate in {@code <dir>/<name>.pem}. */
    public static TestCertificates newAuthority(Path dir, String name) {
        KeyPair keys = rsa();
        X500Name subject = new X500Name("CN=" + name);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(subject, subject, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = sign(b, keys.getPrivate());
            return new TestCertificates(dir, write(dir, name, cert, keys.getPrivate(), KeyFormat.PKCS8));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a test CA", e);
        }
    }

    /** This CA's certificate (PEM), what a peer must trust. */
    public Path caFile() {
        return authority.certFile();
    }

    /**
     * A server certificate for the given host names and IP addresses (subject alternative names, which
     * is what TLS clients check), issued by this CA.
     */
    public Issued server(String fileName, List<String> hostNamesAndIps) {
        List<GeneralName> names = new ArrayList<>();
        for (String n : hostNamesAndIps) {
            boolean ip = n.chars().allMatch(c -> Character.isDigit(c) || c == '.') || n.contains(":");
            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        return issue(
                fileName,
                hostNamesAndIps.get(0),
                KeyFormat.PKCS8,
                KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)));
    }

    /** A client certificate whose subject's common name is {@code commonName}, issued by this CA. */
    public Issued client(String fileName, String commonName, KeyFormat keyFormat) {
        return issue(fileName, commonName, keyFormat, KeyPurposeId.id_kp_clientAuth, null);
    }

    private Issued issue(
            String fileName, String commonName, KeyFormat format, KeyPurposeId purpose, GeneralNames altNames) {
        KeyPair keys = rsa();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(
                            X500Name.getInstance(authority
                                    .certificate()
                                    .getSubjectX500Principal()
                                    .getEncoded()),
                            new X500Name("CN=" + commonName),
                            keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(
                            Extension.keyUsage,
                            true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(
                            Extension.authorityKeyIdentifier,
                            false,
                            ext.createAuthorityKeyIdentifier(authority.certificate()));
            if (altNames != null) {
                b.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            return write(dir, fileName, sign(b, authority.key()), keys.getPrivate(), format);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(64, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))), // tolerate a little clock skew
                Date.from(now.plus(Duration.ofDays(2))),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static Issued write(Path dir, String name, X509Certificate cert, PrivateKey key, KeyFormat format)
            throws IOException {
        Path certFile = dir.resolve(name + ".pem");
        Path keyFile = dir.resolve(name + "-key.pem");
        try (Writer w = Files.newBufferedWriter(certFile, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(cert);
        }
        try (Writer w = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            // JcaPEMWriter writes an RSA key as PKCS#1 by itself; PKCS#8 needs the generator.
            pem.writeObject(format == KeyFormat.PKCS8 ? new JcaPKCS8Generator(key, null) : key);
        }
        return new Issued(certFile, keyFile, cert, key);
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
