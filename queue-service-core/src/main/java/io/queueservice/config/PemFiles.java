package io.queueservice.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys from PEM files, for TLS to the broker and HTTPS.
 *
 * <p>BouncyCastle parses the PEM and ASN.1 (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY},
 * SEC1 {@code EC PRIVATE KEY}); the keys and certificates it yields are plain JDK objects. It is not
 * registered as a security provider, so the JDK's own providers do all the cryptography.
 *
 * <p>Messages name the variable and the file, and never hold key material.
 */
public final class PemFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private PemFiles() {}

    /** A private key and the certificate chain it belongs to (its own certificate first). */
    public record Identity(PrivateKey key, List<X509Certificate> chain) {
        public Identity {
            chain = List.copyOf(chain);
        }

        /** The certificate's subject, e.g. {@code CN=queue-service}. */
        public String subject() {
            return chain.get(0).getSubjectX500Principal().getName();
        }

        @Override
        public String toString() {
            return "Identity[subject=" + subject() + ", key=*****]";
        }
    }

    /** A file that could not be used; the message says why, without its content. */
    public static final class PemException extends Exception {
        private static final long serialVersionUID = 1L;

        PemException(String message) {
            super(message);
        }
    }

    /**
     * The certificates of the file named by {@code variable}, empty when it is unset; a problem is
     * recorded on {@code env} when the file cannot be used.
     */
    public static List<X509Certificate> certificates(ConfigReader env, String variable) {
        Optional<Path> file = env.readableFile(variable);
        if (file.isEmpty() || env.hasProblem(variable)) {
            return List.of();
        }
        try {
            return readCertificates(file.get());
        } catch (PemException e) {
            env.problem(variable, "('" + file.get() + "') " + e.getMessage());
            return List.of();
        }
    }

    /**
     * The certificate and key named by two variables, which go together; empty when both are unset or
     * when a problem was recorded on {@code env} (a missing partner, an unusable file, a key that does
     * not belong to the certificate).
     */
    public static Optional<Identity> identity(ConfigReader env, String certVariable, String keyVariable) {
        Optional<Path> cert = env.readableFile(certVariable);
        Optional<Path> key = env.readableFile(keyVariable);
        if (cert.isPresent() != key.isPresent()) {
            String missing = cert.isPresent() ? keyVariable : certVariable;
            String present = cert.isPresent() ? certVariable : keyVariable;
            env.problem(missing, "must be set together with " + present + " (a certificate needs its private key)");
            return Optional.empty();
        }
        if (cert.isEmpty() || env.hasProblem(certVariable) || env.hasProblem(keyVariable)) {
            return Optional.empty();
        }
        List<X509Certificate> chain = null;
        PrivateKey privateKey = null;
        try {
            chain = readCertificates(cert.get());
        } catch (PemException e) {
            env.problem(certVariable, "('" + cert.get() + "') " + e.getMessage());
        }
        try {
            privateKey = readPrivateKey(key.get());
        } catch (PemException e) {
            env.problem(keyVariable, "('" + key.get() + "') " + e.getMessage());
        }
        if (chain == null || privateKey == null) {
            return Optional.empty();
        }
        if (!belongsTo(privateKey, chain.get(0))) {
            env.problem(
                    keyVariable,
                    "('" + key.get() + "') is not the private key of the certificate in " + certVariable + " ('"
                            + cert.get() + "', "
                            + chain.get(0).getSubjectX500Principal().getName() + ")");
            return Optional.empty();
        }
        return Optional.of(new Identity(privateKey, chain));
    }

    /** Every {@code CERTIFICATE} block of the file, in order; other blocks are ignored. */
    public static List<X509Certificate> readCertificates(Path file) throws PemException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser pem = new PEMParser(in)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            // BouncyCastle reports malformed input with IOExceptions and runtime exceptions alike.
            throw new PemException(
                    "cannot be read as PEM certificates (" + e.getClass().getSimpleName() + ")");
        }
        if (certificates.isEmpty()) {
            throw new PemException("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    /** The first private key of the file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), not encrypted. */
    public static PrivateKey readPrivateKey(Path file) throws PemException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser pem = new PEMParser(in)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                    throw new PemException("holds an encrypted private key; give it unencrypted (for example"
                            + " 'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-plain.pem') and protect the"
                            + " file by its permissions");
                }
            }
        } catch (IOException | RuntimeException e) {
            // Only the kind of failure: a parser's message could quote the file's content.
            throw new PemException(
                    "cannot be read as a PEM private key (" + e.getClass().getSimpleName() + ")");
        }
        throw new PemException(
                "holds no PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)");
    }

    /**
     * The first public key of the file: a {@code PUBLIC KEY} block (SubjectPublicKeyInfo, as {@code openssl
     * pkey -pubout} writes it) or the key of a {@code CERTIFICATE} block.
     */
    public static PublicKey readPublicKey(Path file) throws PemException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser pem = new PEMParser(in)) {
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof SubjectPublicKeyInfo info) {
                    return new JcaPEMKeyConverter().getPublicKey(info);
                }
                if (o instanceof X509CertificateHolder holder) {
                    return new JcaX509CertificateConverter()
                            .getCertificate(holder)
                            .getPublicKey();
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            // Only the kind of failure: a parser's message could quote the file's content.
            throw new PemException(
                    "cannot be read as a PEM public key (" + e.getClass().getSimpleName() + ")");
        }
        throw new PemException("holds no PEM public key (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)");
    }

    /**
     * Whether {@code key} is the private half of the certificate's public key: something signed with it
     * must verify with the certificate. This works for every key type without comparing their internals.
     */
    static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
        if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())) {
            return false;
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA: the key type is the algorithm
        };
        byte[] challenge = new byte[32];
        RANDOM.nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
