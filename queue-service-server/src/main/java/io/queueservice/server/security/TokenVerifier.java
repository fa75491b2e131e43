package io.queueservice.server.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.Resource;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.MalformedURLException;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies bearer tokens with nimbus-jose-jwt: the signature with the configured keys and algorithms
 * only, then the claims ({@link ClaimsCheck}). Built once at startup; {@link #verify} keeps no state
 * between calls except the JWK set cache.
 *
 * <p>Keys come from configuration alone. The processor is given a key selector over the configured keys,
 * so {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} headers in a token are never followed or used.
 * With one configured key (secret or key file) the token's {@code kid} is not needed: the key is tried
 * whatever the {@code kid}; with a JWK set the {@code kid} selects the key, and an unknown one triggers a
 * refresh of the set, at most twice per {@code JWT_JWKS_REFRESH_INTERVAL}.
 */
public final class TokenVerifier {
    private static final int JWKS_TIMEOUT_MS = 2_000;
    private static final int JWKS_SIZE_LIMIT = 256 * 1024;

    private final Set<JWSAlgorithm> algorithms;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final boolean mayBlock;
    /** Whether the last fetch of the JWK set failed: an unknown key is then the keys' fault, not the token's. */
    private volatile boolean lastFetchFailed;

    public TokenVerifier(SecurityConfig.JwtConfig config, Clock clock) {
        this.algorithms = Set.copyOf(config.algorithms());
        this.mayBlock = config.keys() instanceof KeySource.Jwks;
        processor.setJWSKeySelector(keySelector(config));
        processor.setJWTClaimsSetVerifier(
                new ClaimsCheck(config.issuer(), config.audience(), config.clockSkew(), clock));
    }

    /** Whether {@link #verify} may wait for the network: a JWK set fetched over HTTP on a cache miss. */
    public boolean mayBlock() {
        return mayBlock;
    }

    private JWSKeySelector<SecurityContext> keySelector(SecurityConfig.JwtConfig config) {
        return switch (config.keys()) {
            case KeySource.Secret s -> single(new SecretKeySpec(s.bytes(), "HmacSHA256"));
            case KeySource.PublicKeyFile f -> single(f.key());
            case KeySource.Jwks j -> new JWSVerificationKeySelector<>(algorithms, jwks(j, config));
        };
    }

    /** The one configured key, for the configured algorithms, whatever the token's {@code kid}. */
    private JWSKeySelector<SecurityContext> single(Key key) {
        List<Key> keys = List.of(key);
        return (JWSHeader header, SecurityContext ctx) -> algorithms.contains(header.getAlgorithm()) ? keys : List.of();
    }

    private JWKSource<SecurityContext> jwks(KeySource.Jwks source, SecurityConfig.JwtConfig config) {
        ResourceRetriever http = new DefaultResourceRetriever(JWKS_TIMEOUT_MS, JWKS_TIMEOUT_MS, JWKS_SIZE_LIMIT);
        ResourceRetriever watched = url -> {
            try {
                Resource set = http.retrieveResource(url);
                lastFetchFailed = false;
                return set;
            } catch (IOException | RuntimeException e) {
                lastFetchFailed = true;
                throw e;
            }
        };
        try {
            long ttl = config.jwksCacheTtl().toMillis();
            return JWKSourceBuilder.<SecurityContext>create(source.url().toURL(), watched)
                    .cache(ttl, JWKS_TIMEOUT_MS * 2L)
                    // Refresh ahead of expiry: tokens are not held up by a fetch when the cache runs out.
                    .refreshAheadCache(Math.min(ttl / 2, 30_000), false)
                    // An unknown kid triggers a fetch, at most twice per interval whatever the traffic.
                    .rateLimited(config.jwksRefreshInterval().toMillis())
                    .retrying(false)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("JWT_JWKS_URL is not a URL", e);
        }
    }

    /**
     * The caller the token stands for.
     *
     * @throws AuthenticationException when the token is not accepted, with why
     * @throws KeysUnavailableException when the JWK set cannot be fetched (not the caller's fault)
     */
    public Caller verify(String token) {
        if (token.length() > SecurityConfig.MAX_TOKEN_BYTES) {
            throw new AuthenticationException(Rejection.TOO_LARGE);
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            throw new AuthenticationException(Rejection.MALFORMED);
        }
        if (jwt instanceof PlainJWT) {
            throw new AuthenticationException(Rejection.UNSIGNED);
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new AuthenticationException(Rejection.MALFORMED); // encrypted (JWE): not accepted
        }
        if (!algorithms.contains(signed.getHeader().getAlgorithm())) {
            throw new AuthenticationException(Rejection.ALGORITHM);
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(signed, null);
        } catch (ClaimsCheck.Failed e) {
            throw new AuthenticationException(e.reason());
        } catch (RateLimitReachedException e) {
            // Refreshed lately: the key is still unknown, or the keys could not be fetched at all.
            if (lastFetchFailed) {
                throw new KeysUnavailableException();
            }
            throw new AuthenticationException(Rejection.UNKNOWN_KEY);
        } catch (KeySourceException e) {
            throw new KeysUnavailableException();
        } catch (BadJWSException e) {
            throw new AuthenticationException(Rejection.BAD_SIGNATURE);
        } catch (BadJOSEException e) {
            // The algorithm was checked above: what is left is "no key matches" (or a bad typ header).
            throw new AuthenticationException(
                    e.getMessage() != null && e.getMessage().contains("no matching key")
                            ? Rejection.UNKNOWN_KEY
                            : Rejection.REJECTED);
        } catch (JOSEException | RuntimeException e) {
            throw new AuthenticationException(Rejection.REJECTED);
        }
        return new Caller(claims.getSubject(), scopes(claims), false);
    }

    /** {@code scope} (space-separated) and {@code scp} (array or space-separated), together. */
    static Set<String> scopes(JWTClaimsSet claims) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String name : List.of("scope", "scp")) {
            Object value = claims.getClaim(name);
            if (value instanceof String s) {
                addAll(scopes, List.of(s.split(" ")));
            } else if (value instanceof Collection<?> list) {
                for (Object item : list) {
                    if (item instanceof String s) {
                        addAll(scopes, List.of(s.split(" ")));
                    }
                }
            }
        }
        return scopes;
    }

    private static void addAll(Set<String> scopes, List<String> values) {
        values.stream().map(String::trim).filter(v -> !v.isEmpty()).forEach(scopes::add);
    }
}
