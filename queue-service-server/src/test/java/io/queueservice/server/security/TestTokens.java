package io.queueservice.server.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.function.UnaryOperator;

/** Tokens and keys for tests, made with nimbus-jose-jwt (the same library the service verifies with). */
public final class TestTokens {
    private TestTokens() {}

    public static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as a PEM {@code PUBLIC KEY} block, as {@code openssl pkey -pubout} writes it. */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    public static Path writePem(Path dir, PublicKey key) {
        try {
            return Files.writeString(dir.resolve("jwt-public-" + System.nanoTime() + ".pem"), pem(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Claims valid for an hour from now, for this subject and these scopes (space-separated). */
    public static JWTClaimsSet.Builder claims(String subject, String scope) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(3600)));
        return scope == null ? b : b.claim("scope", scope);
    }

    public static String hs256(String secret, JWTClaimsSet claims) {
        return sign(new JWSHeader(JWSAlgorithm.HS256), claims, secret.getBytes(StandardCharsets.UTF_8));
    }

    public static String sign(JWSHeader header, JWTClaimsSet claims, Object key) {
        try {
            JWSSigner signer = switch (key) {
                case byte[] secret -> new MACSigner(secret);
                case RSAPrivateKey rsa -> new RSASSASigner(rsa);
                case ECPrivateKey ec -> new ECDSASigner(ec);
                default -> throw new IllegalArgumentException("no signer for " + key);
            };
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String rs256(KeyPair keys, String kid, JWTClaimsSet claims) {
        return sign(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(kid)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims,
                keys.getPrivate());
    }

    /** {@code header.payload.} with {@code "alg":"none"}: an unsigned token. */
    public static String unsigned(JWTClaimsSet claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** The claims of {@link #claims} changed by {@code change}. */
    public static JWTClaimsSet claimsWith(String subject, String scope, UnaryOperator<JWTClaimsSet.Builder> change) {
        return change.apply(claims(subject, scope)).build();
    }
}
