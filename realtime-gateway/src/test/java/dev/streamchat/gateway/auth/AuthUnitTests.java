package dev.streamchat.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.config.AppMode;
import dev.streamchat.gateway.config.AppProperties;
import dev.streamchat.gateway.config.MovableClock;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class AuthUnitTests {

    private static final String SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static AuthProperties properties(Boolean devLogin) {
        return new AuthProperties(SECRET, Duration.ofHours(24), false, devLogin, List.of("http://localhost:8080"));
    }

    @Test
    void devLoginIsOnByDefaultLocallyAndNeverInProduction() {
        assertThat(properties(null).devLoginEnabled(AppMode.LOCAL)).isTrue();
        assertThat(properties(false).devLoginEnabled(AppMode.LOCAL)).isFalse();
        assertThat(properties(true).devLoginEnabled(AppMode.PRODUCTION)).isFalse();
        assertThat(properties(null).devLoginEnabled(AppMode.PRODUCTION)).isFalse();
    }

    @Test
    void aDisabledDevLoginIsNotFound() {
        AuthProperties props = properties(true);
        AuthController controller = new AuthController(new JwtTokens(props), new TokenCookie(props),
                mock(UserAccounts.class), props, new AppProperties("production"), mock(RevokedTokens.class), event -> { });
        StepVerifier.create(controller.devLogin(Mono.just(Map.of("userId", "a", "plan", "free"))))
                .expectErrorSatisfies(error -> assertThat(((ApiException) error).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void verifiesOnlyHs256TokensWithAValidSubject() {
        JwtTokens tokens = new JwtTokens(SECRET, Duration.ofHours(1), Clock.systemUTC());
        assertThat(tokens.verify(tokens.issue("alice", "pro"))).contains(new AuthenticatedUser("alice", "pro"));
        var key = Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8));
        String hs512 = Jwts.builder().subject("alice").claim("plan", "free")
                .expiration(new Date(System.currentTimeMillis() + 60_000)).signWith(key, Jwts.SIG.HS512).compact();
        assertThat(tokens.verify(hs512)).isEmpty();
        String badSubject = Jwts.builder().subject("not valid!").claim("plan", "free")
                .expiration(new Date(System.currentTimeMillis() + 60_000)).signWith(key, Jwts.SIG.HS256).compact();
        assertThat(tokens.verify(badSubject)).isEmpty();
        String noExpiry = Jwts.builder().subject("alice").signWith(key, Jwts.SIG.HS256).compact();
        assertThat(tokens.verify(noExpiry)).isEmpty();
        String unsigned = Jwts.builder().subject("alice").expiration(new Date(System.currentTimeMillis() + 60_000)).compact();
        assertThat(tokens.verify(unsigned)).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
    }

    @Test
    void aTokenThatVerifiedIsServedAgainOnlyUntilItExpires() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        JwtTokens tokens = new JwtTokens(SECRET, Duration.ofMinutes(10), clock);
        String token = tokens.issue("alice", "pro");
        VerifiedToken first = tokens.verifyToken(token).orElseThrow();
        assertThat(tokens.verifyToken(" " + token + " ")).contains(first);

        String forged = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertThat(tokens.verifyToken(forged)).isEmpty();

        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        assertThat(tokens.verifyToken(token)).contains(first);
        clock.advance(Duration.ofSeconds(2));
        assertThat(tokens.verifyToken(token)).isEmpty();
        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void theVerifiedTokenCacheStaysBounded() {
        VerifiedTokenCache cache = new VerifiedTokenCache();
        Instant expiry = Instant.parse("2030-01-01T00:00:00Z");
        for (int i = 0; i <= VerifiedTokenCache.MAX_ENTRIES; i++) {
            cache.put(new VerifiedToken(new AuthenticatedUser("u" + i, "free"), "hash-" + i, expiry));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(VerifiedTokenCache.MAX_ENTRIES);
        assertThat(cache.get("hash-" + VerifiedTokenCache.MAX_ENTRIES, Instant.parse("2026-12-01T00:00:00Z")))
                .isNotNull();
    }

    @Test
    void matchesOriginsExactly() {
        AllowedOrigins origins = new AllowedOrigins(List.of("http://localhost:8080,http://127.0.0.1:8080/", " https://App.example "));
        assertThat(origins.isAllowed("http://localhost:8080")).isTrue();
        assertThat(origins.isAllowed("http://127.0.0.1:8080")).isTrue();
        assertThat(origins.isAllowed("https://app.example")).isTrue();
        assertThat(origins.isAllowed("http://localhost:8081")).isFalse();
        assertThat(origins.isAllowed("http://localhost:8080.evil.example")).isFalse();
        assertThat(origins.isAllowed("null")).isFalse();
        assertThat(origins.isAllowed(null)).isFalse();
    }

    @Test
    void readsTheTokenCookieFromRawHeaders() {
        assertThat(TokenCookie.fromHeaders(List.of("a=1; token=abc.def; b=2"))).isEqualTo("abc.def");
        assertThat(TokenCookie.fromHeaders(List.of("a=1", "token=x"))).isEqualTo("x");
        assertThat(TokenCookie.fromHeaders(List.of("tokens=x"))).isNull();
        assertThat(TokenCookie.fromHeaders(List.of())).isNull();
    }

    @Test
    void marksTheCookieSecureOnlyWhenAsked() {
        AuthProperties secure = new AuthProperties(SECRET, Duration.ofSeconds(3600), true, null, List.of());
        assertThat(new TokenCookie(secure).issue("jwt").toString()).contains("Secure").contains("Max-Age=3600");
        assertThat(new TokenCookie(properties(null)).issue("jwt").toString()).doesNotContain("Secure");
    }
}
