package dev.streamchat.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;

/**
 * Issues and verifies the gateway's HS256 JWTs (claims {@code sub}, {@code plan}, {@code iat}, {@code exp}).
 * Pure CPU work, safe on an event loop. Verification never throws: a bad, expired or foreign token is empty.
 */
@Component
public class JwtTokens {

    /** What a user id may look like (contract section 2). */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** The plans a token may carry. */
    public static final Pattern PLAN = Pattern.compile("free|pro");

    private final SecretKey key;
    private final Duration ttl;
    private final Clock clock;
    /** Immutable and thread-safe (jjwt 0.12): built once rather than per token. */
    private final JwtParser parser;
    private final VerifiedTokenCache verified = new VerifiedTokenCache();

    @Autowired
    public JwtTokens(AuthProperties properties) {
        this(properties.jwtSecret(), properties.jwtTtl(), Clock.systemUTC());
    }

    public JwtTokens(String secret, Duration ttl, Clock clock) {
        this.key = Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
        this.ttl = ttl;
        this.clock = clock;
        this.parser = Jwts.parser().verifyWith(key).clock(() -> Date.from(clock.instant())).build();
    }

    public Duration ttl() {
        return ttl;
    }

    public String issue(String userId, String plan) {
        Instant now = clock.instant();
        return Jwts.builder()
                .subject(userId)
                .claim("plan", plan)
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plus(ttl)))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
    }

    /** The user a valid token names; empty for a missing, malformed, forged, expired or non-HS256 token. */
    public Optional<AuthenticatedUser> verify(String token) {
        return verifyToken(token).map(VerifiedToken::user);
    }

    /**
     * {@link #verify} plus the token's expiry and hash (what logout revokes and socket expiry is scheduled on). A token
     * that verified before and has not expired is answered from {@link VerifiedTokenCache} by its hash.
     */
    public Optional<VerifiedToken> verifyToken(String token) {
        if (token == null || token.isBlank() || token.length() > 4096) {
            return Optional.empty();
        }
        String hash = VerifiedToken.hash(token);
        VerifiedToken known = verified.get(hash, clock.instant());
        if (known != null) {
            return Optional.of(known);
        }
        Optional<VerifiedToken> checked = parse(token, hash);
        checked.ifPresent(verified::put);
        return checked;
    }

    private Optional<VerifiedToken> parse(String token, String hash) {
        try {
            var jws = parser.parseSignedClaims(token.trim());
            if (!Jwts.SIG.HS256.getId().equals(jws.getHeader().getAlgorithm())) {
                return Optional.empty();
            }
            Claims claims = jws.getPayload();
            String userId = claims.getSubject();
            Object plan = claims.get("plan");
            if (userId == null || !USER_ID.matcher(userId).matches() || claims.getExpiration() == null) {
                return Optional.empty();
            }
            String planName = plan instanceof String p && PLAN.matcher(p).matches() ? p : "free";
            return Optional.of(new VerifiedToken(new AuthenticatedUser(userId, planName), hash,
                    claims.getExpiration().toInstant()));
        } catch (JwtException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
