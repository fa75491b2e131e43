package io.queueservice.server.security;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Optional;

/**
 * The claims a token must have once its signature is verified: {@code exp} (not past, give or take the
 * skew), {@code nbf} when present (not future), {@code sub}, and {@code iss}/{@code aud} when configured.
 * Each failure carries its {@link Rejection}, so the reason logged and answered is exact without quoting
 * anything from the token.
 */
final class ClaimsCheck implements JWTClaimsSetVerifier<SecurityContext> {

    /** A claim check that failed, with why. */
    static final class Failed extends BadJWTException {
        private static final long serialVersionUID = 1L;
        private final transient Rejection reason;

        Failed(Rejection reason) {
            super(reason.description());
            this.reason = reason;
        }

        Rejection reason() {
            return reason;
        }
    }

    private final Optional<String> issuer;
    private final Optional<String> audience;
    private final Duration skew;
    private final Clock clock;

    ClaimsCheck(Optional<String> issuer, Optional<String> audience, Duration skew, Clock clock) {
        this.issuer = issuer;
        this.audience = audience;
        this.skew = skew;
        this.clock = clock;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
        Date exp = claims.getExpirationTime();
        String sub = claims.getSubject();
        if (exp == null || sub == null || sub.isBlank()) {
            throw new Failed(Rejection.MISSING_CLAIM);
        }
        long now = clock.millis();
        if (exp.getTime() + skew.toMillis() <= now) {
            throw new Failed(Rejection.EXPIRED);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() - skew.toMillis() > now) {
            throw new Failed(Rejection.NOT_YET_VALID);
        }
        if (issuer.isPresent() && !issuer.get().equals(claims.getIssuer())) {
            throw new Failed(Rejection.WRONG_ISSUER);
        }
        if (audience.isPresent()
                && (claims.getAudience() == null || !claims.getAudience().contains(audience.get()))) {
            throw new Failed(Rejection.WRONG_AUDIENCE);
        }
    }
}
