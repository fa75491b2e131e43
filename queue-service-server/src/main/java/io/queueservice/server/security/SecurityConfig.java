package io.queueservice.server.security;

import com.nimbusds.jose.JWSAlgorithm;
import io.queueservice.config.BrokerConfig;
import io.queueservice.config.ConfigReader;
import io.queueservice.config.PemFiles;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may call the API, and how often: {@code AUTH_MODE}, the {@code JWT_*} settings, {@code METRICS_AUTH}
 * and the quotas. Read and checked completely at startup; secrets never appear in messages or {@link
 * #toString()}.
 *
 * @param mode {@code jwt} (the default: every API request needs a valid bearer token) or {@code none}
 * @param jwt how tokens are verified; null with {@code AUTH_MODE=none}, or when nothing this process
 *     serves needs a token (a worker-only process without {@code METRICS_AUTH})
 * @param metricsAuth whether {@code /metrics} needs a token with the scope {@code metrics:read}
 * @param quota requests per second and burst per caller; {@code perSecond == 0} turns quotas off
 */
public record SecurityConfig(AuthMode mode, JwtConfig jwt, boolean metricsAuth, Quota quota) {

    public enum AuthMode {
        JWT,
        NONE
    }

    /**
     * @param algorithms the only algorithms accepted ({@code none} never is)
     * @param issuer when present, the {@code iss} a token must have
     * @param audience when present, a value the token's {@code aud} must contain
     * @param clockSkew tolerated for {@code exp} and {@code nbf}
     * @param jwksCacheTtl how long a fetched JWK set is used before it is fetched again
     * @param jwksRefreshInterval at most two fetches of the JWK set in any such interval, however many
     *     tokens with unknown key ids come
     */
    public record JwtConfig(
            KeySource keys,
            Set<JWSAlgorithm> algorithms,
            Optional<String> issuer,
            Optional<String> audience,
            Duration clockSkew,
            Duration jwksCacheTtl,
            Duration jwksRefreshInterval) {}

    /** A token bucket per caller: {@code burst} requests at once, refilled at {@code perSecond}. */
    public record Quota(int perSecond, int burst) {
        public boolean enabled() {
            return perSecond > 0;
        }
    }

    /** Largest token accepted, in bytes; a longer {@code Authorization} header is answered 401. */
    public static final int MAX_TOKEN_BYTES = 8192;

    static final int MIN_SECRET_BYTES = 32;

    private static final List<String> KEY_VARIABLES = List.of("JWT_SECRET", "JWT_PUBLIC_KEY_PATH", "JWT_JWKS_URL");

    private static final Map<String, JWSAlgorithm> ALGORITHMS = Map.ofEntries(
            Map.entry("HS256", JWSAlgorithm.HS256),
            Map.entry("HS384", JWSAlgorithm.HS384),
            Map.entry("HS512", JWSAlgorithm.HS512),
            Map.entry("RS256", JWSAlgorithm.RS256),
            Map.entry("RS384", JWSAlgorithm.RS384),
            Map.entry("RS512", JWSAlgorithm.RS512),
            Map.entry("PS256", JWSAlgorithm.PS256),
            Map.entry("PS384", JWSAlgorithm.PS384),
            Map.entry("PS512", JWSAlgorithm.PS512),
            Map.entry("ES256", JWSAlgorithm.ES256),
            Map.entry("ES384", JWSAlgorithm.ES384),
            Map.entry("ES512", JWSAlgorithm.ES512));

    /**
     * Reads the security settings; problems are recorded in {@code r}.
     *
     * @param servesApi whether this process serves the API (then {@code AUTH_MODE=jwt} needs a key source)
     */
    public static SecurityConfig from(ConfigReader r, boolean servesApi) {
        AuthMode mode = AuthMode.valueOf(
                r.oneOf("AUTH_MODE", "jwt", Set.of("jwt", "none")).toUpperCase(Locale.ROOT));
        boolean metricsAuth = r.bool("METRICS_AUTH", false);
        Quota quota = quota(r);
        if (mode == AuthMode.NONE) {
            if (metricsAuth) {
                r.problem("METRICS_AUTH", "needs AUTH_MODE=jwt (with AUTH_MODE=none there is no token to check)");
            }
            return new SecurityConfig(mode, null, false, quota);
        }
        if (r.hasProblem("AUTH_MODE")) {
            return new SecurityConfig(mode, null, metricsAuth, quota); // one message is enough
        }
        boolean keysNeeded = servesApi || metricsAuth;
        JwtConfig jwt =
                keysNeeded || KEY_VARIABLES.stream().anyMatch(v -> r.raw(v).isPresent()) ? jwt(r) : null;
        return new SecurityConfig(mode, jwt, metricsAuth, quota);
    }

    private static Quota quota(ConfigReader r) {
        int perSecond = r.integer("RATE_LIMIT_PER_SECOND", 0, 0, 100_000);
        int burst = r.integer("RATE_LIMIT_BURST", Math.max(1, perSecond), 1, 1_000_000);
        return new Quota(perSecond, burst);
    }

    private static JwtConfig jwt(ConfigReader r) {
        List<String> set =
                KEY_VARIABLES.stream().filter(v -> r.raw(v).isPresent()).toList();
        if (set.isEmpty()) {
            r.problem(
                    "AUTH_MODE",
                    "is jwt (the default), which needs one of JWT_SECRET (an HMAC secret of at least 32 bytes),"
                            + " JWT_PUBLIC_KEY_PATH (a PEM public key file) or JWT_JWKS_URL (the issuer's JWK set);"
                            + " or set AUTH_MODE=none to run without authentication (local development only)");
        } else if (set.size() > 1) {
            r.problem(
                    set.get(0),
                    "is set together with " + String.join(" and ", set.subList(1, set.size()))
                            + ": set exactly one key source");
        }
        KeySource keys = set.size() == 1
                ? switch (set.get(0)) {
                    case "JWT_SECRET" -> secret(r);
                    case "JWT_PUBLIC_KEY_PATH" -> publicKeyFile(r);
                    default -> jwksUrl(r);
                }
                : null;
        Set<JWSAlgorithm> algorithms = algorithms(r, keys);
        long skew = r.longValue("JWT_CLOCK_SKEW", 30, 0, 300);
        long ttl = r.longValue("JWT_JWKS_CACHE_TTL", 300, 10, 86_400);
        long refresh = r.longValue("JWT_JWKS_REFRESH_INTERVAL", 30, 1, 3_600);
        if (refresh >= ttl) {
            r.problem(
                    "JWT_JWKS_REFRESH_INTERVAL",
                    "must be shorter than JWT_JWKS_CACHE_TTL (" + ttl + " s) but was '" + refresh + "'");
        }
        return new JwtConfig(
                keys,
                algorithms,
                r.raw("JWT_ISSUER"),
                r.raw("JWT_AUDIENCE"),
                Duration.ofSeconds(skew),
                Duration.ofSeconds(ttl),
                Duration.ofSeconds(refresh));
    }

    private static KeySource secret(ConfigReader r) {
        byte[] bytes = r.raw("JWT_SECRET").orElseThrow().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_SECRET_BYTES) {
            r.problem(
                    "JWT_SECRET",
                    "must be at least " + MIN_SECRET_BYTES + " bytes (256 bits) but has " + bytes.length
                            + "; generate one with: openssl rand -base64 48");
            return null;
        }
        return new KeySource.Secret(bytes);
    }

    private static KeySource publicKeyFile(ConfigReader r) {
        Optional<Path> path = r.readableFile("JWT_PUBLIC_KEY_PATH");
        if (path.isEmpty() || r.hasProblem("JWT_PUBLIC_KEY_PATH")) {
            return null;
        }
        try {
            PublicKey key = PemFiles.readPublicKey(path.get());
            if (!(key instanceof RSAPublicKey || key instanceof ECPublicKey)) {
                r.problem(
                        "JWT_PUBLIC_KEY_PATH",
                        "names '" + path.get() + "', which holds a public key that is neither RSA nor EC");
                return null;
            }
            if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
                r.problem(
                        "JWT_PUBLIC_KEY_PATH",
                        "names '" + path.get() + "', an RSA key of "
                                + rsa.getModulus().bitLength() + " bits: at least 2048 are needed");
                return null;
            }
            return new KeySource.PublicKeyFile(path.get(), key);
        } catch (PemFiles.PemException e) {
            r.problem("JWT_PUBLIC_KEY_PATH", "names '" + path.get() + "', which " + e.getMessage());
        }
        return null;
    }

    private static KeySource jwksUrl(ConfigReader r) {
        String raw = r.raw("JWT_JWKS_URL").orElseThrow();
        try {
            URI uri = new URI(raw);
            boolean https = "https".equals(uri.getScheme());
            boolean localHttp = "http".equals(uri.getScheme()) && uri.getHost() != null && isLoopback(uri.getHost());
            if (uri.getHost() != null && uri.getRawUserInfo() == null && (https || localHttp)) {
                return new KeySource.Jwks(uri);
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        r.problem(
                "JWT_JWKS_URL",
                "must be an https:// URL without credentials (http:// only for localhost) but was '"
                        + BrokerConfig.mask(raw) + "'");
        return null;
    }

    private static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+]")) {
            return false; // a name: never resolved here
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** {@code JWT_ALGORITHMS}, or the one algorithm the key source implies, checked against the key. */
    private static Set<JWSAlgorithm> algorithms(ConfigReader r, KeySource keys) {
        Optional<String> raw = r.raw("JWT_ALGORITHMS");
        Set<JWSAlgorithm> chosen = new LinkedHashSet<>();
        if (raw.isPresent()) {
            for (String name : raw.get().split(",")) {
                String n = name.trim().toUpperCase(Locale.ROOT);
                if (n.isEmpty()) {
                    continue;
                }
                JWSAlgorithm alg = ALGORITHMS.get(n);
                if (alg == null) {
                    r.problem(
                            "JWT_ALGORITHMS",
                            "must list algorithms among "
                                    + ALGORITHMS.keySet().stream().sorted().toList() + " but has '" + name.trim()
                                    + "'" + (n.equals("NONE") ? " (unsigned tokens are never accepted)" : ""));
                    return Set.of();
                }
                chosen.add(alg);
            }
            if (chosen.isEmpty()) {
                r.problem("JWT_ALGORITHMS", "is set but names no algorithm");
                return Set.of();
            }
        }
        if (keys == null) {
            return Set.copyOf(chosen);
        }
        if (chosen.isEmpty()) {
            chosen.add(defaultAlgorithm(keys));
        }
        for (JWSAlgorithm alg : chosen) {
            String mismatch = mismatch(keys, alg);
            if (mismatch != null) {
                r.problem("JWT_ALGORITHMS", "has " + alg + ", which " + mismatch);
            }
        }
        return Set.copyOf(chosen);
    }

    private static JWSAlgorithm defaultAlgorithm(KeySource keys) {
        return switch (keys) {
            case KeySource.Secret s -> JWSAlgorithm.HS256;
            case KeySource.PublicKeyFile f
            when f.key() instanceof ECPublicKey ec ->
                switch (curveBits(ec)) {
                    case 384 -> JWSAlgorithm.ES384;
                    case 521 -> JWSAlgorithm.ES512;
                    default -> JWSAlgorithm.ES256;
                };
            case KeySource.PublicKeyFile f -> JWSAlgorithm.RS256;
            case KeySource.Jwks j -> JWSAlgorithm.RS256;
        };
    }

    /** Why {@code alg} cannot be used with these keys, or null when it can. */
    private static String mismatch(KeySource keys, JWSAlgorithm alg) {
        boolean hmac = JWSAlgorithm.Family.HMAC_SHA.contains(alg);
        boolean rsa = JWSAlgorithm.Family.RSA.contains(alg);
        boolean ec = JWSAlgorithm.Family.EC.contains(alg);
        return switch (keys) {
            case KeySource.Secret s when !hmac -> "needs a public key, not JWT_SECRET";
            case KeySource.Secret s
            when s.bytes().length * 8 < bits(alg) -> "needs a JWT_SECRET of at least " + bits(alg) / 8 + " bytes";
            case KeySource.Secret s -> null;
            case KeySource.PublicKeyFile f
            when f.key() instanceof RSAPublicKey -> rsa ? null : "does not fit an RSA key";
            case KeySource.PublicKeyFile f
            when f.key() instanceof ECPublicKey k ->
                ec && alg.equals(defaultAlgorithm(f)) ? null : "does not fit this EC key (" + curveName(k) + ")";
            case KeySource.PublicKeyFile f -> "does not fit the key";
            case KeySource.Jwks j -> hmac ? "is symmetric: a JWK set holds public keys" : null;
        };
    }

    private static int bits(JWSAlgorithm alg) {
        return Integer.parseInt(alg.getName().substring(2));
    }

    private static String curveName(ECPublicKey key) {
        return switch (curveBits(key)) {
            case 384 -> "P-384, ES384";
            case 521 -> "P-521, ES512";
            default -> "P-256, ES256";
        };
    }

    /** The algorithms as their names, for logs. */
    public String describe() {
        if (mode == AuthMode.NONE) {
            return "AUTH_MODE=none (no authentication)";
        }
        if (jwt == null) {
            return "AUTH_MODE=jwt (nothing served needs a token)";
        }
        return "AUTH_MODE=jwt with " + jwt.keys() + ", algorithms "
                + jwt.algorithms().stream().map(JWSAlgorithm::getName).sorted().collect(Collectors.joining(","))
                + jwt.issuer().map(i -> ", issuer " + i).orElse("")
                + jwt.audience().map(a -> ", audience " + a).orElse("");
    }

    /** The bit length of an EC key's curve order: 256 (P-256), 384 (P-384) or 521 (P-521). */
    private static int curveBits(ECPublicKey key) {
        return key.getParams().getOrder().bitLength();
    }
}
