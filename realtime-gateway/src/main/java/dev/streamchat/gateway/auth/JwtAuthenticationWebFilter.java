package dev.streamchat.gateway.auth;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.error.ProblemResponses;
import dev.streamchat.gateway.http.ManagementPort;
import dev.streamchat.gateway.http.RoutedPath;
import dev.streamchat.gateway.http.StreamStartRequests;
import reactor.core.publisher.Mono;

/**
 * Deny by default: every request needs a valid JWT except the explicit allow-list of {@link PublicPaths}, decided on
 * the path the router matches (decoded, {@code ;params} stripped), never on the raw spelling. Then the CSRF rule: any
 * request other than GET/HEAD/OPTIONS authenticated by the cookie alone must come from an allowed {@code Origin}
 * (dev-login is exempt, contract section 2). 401 {@code unauthorized} is decided before 403 {@code forbidden}. On
 * success the caller is the exchange attribute {@link AuthenticatedUser#EXCHANGE_ATTRIBUTE} (and its token
 * {@link VerifiedToken#EXCHANGE_ATTRIBUTE}). A token revoked by logout ({@link RevokedTokens}) is 401 like an expired
 * one. Filters that need the caller (rate limits) order after {@link #ORDER}. For a request that starts a stream the
 * caller's plan is read ({@link UserAccounts#prefetch}) while Redis answers the revocation check (sent first), since
 * starting the stream needs it.
 */
@Component
public class JwtAuthenticationWebFilter implements WebFilter, Ordered {

    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    /** Methods that change nothing; every other one, however spelled, is held to the CSRF rule. */
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    private static final String BEARER = "bearer ";

    private final JwtTokens tokens;
    private final AllowedOrigins allowedOrigins;
    private final RevokedTokens revokedTokens;
    private final PublicPaths publicPaths;
    private final ManagementPort managementPort;
    private final UserAccounts users;

    public JwtAuthenticationWebFilter(JwtTokens tokens, AllowedOrigins allowedOrigins, RevokedTokens revokedTokens,
                                      PublicPaths publicPaths, ManagementPort managementPort, UserAccounts users) {
        this.tokens = tokens;
        this.allowedOrigins = allowedOrigins;
        this.revokedTokens = revokedTokens;
        this.publicPaths = publicPaths;
        this.managementPort = managementPort;
        this.users = users;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String path = RoutedPath.of(request.getPath().pathWithinApplication());
        if (publicPaths.isPublic(path) || managementPort.received(request)) {
            return chain.filter(exchange);
        }
        Optional<String> bearer = bearerToken(request);
        String token = bearer.orElseGet(() -> cookieToken(request));
        Optional<VerifiedToken> verified = tokens.verifyToken(token);
        if (verified.isEmpty()) {
            return ProblemResponses.write(exchange, ErrorCode.UNAUTHORIZED,
                    "A valid token is required (Authorization: Bearer or the token cookie).");
        }
        Mono<Boolean> revocation = revokedTokens.isRevoked(verified.get().hash());
        if (StreamStartRequests.matches(exchange)) {
            // The revocation check leaves for Redis first, then the plan is read while Redis answers: started the
            // other way round, the MongoDB driver's work on this thread held the Redis command back.
            CompletableFuture<Boolean> answer = revocation.toFuture();
            users.prefetch(verified.get().user().userId());
            revocation = Mono.fromFuture(answer);
        }
        return revocation.flatMap(revoked -> {
            if (revoked) {
                return ProblemResponses.write(exchange, ErrorCode.UNAUTHORIZED, "This token was signed out.");
            }
            if (bearer.isEmpty() && !SAFE.contains(request.getMethod())
                    && !allowedOrigins.isAllowed(request.getHeaders().getOrigin())) {
                return ProblemResponses.write(exchange, ErrorCode.FORBIDDEN,
                        "A cookie-authenticated change must come from an allowed Origin.");
            }
            exchange.getAttributes().put(AuthenticatedUser.EXCHANGE_ATTRIBUTE, verified.get().user());
            exchange.getAttributes().put(VerifiedToken.EXCHANGE_ATTRIBUTE, verified.get());
            return chain.filter(exchange);
        });
    }

    /** The Bearer token when an Authorization header names one (it wins over the cookie, even when bad). */
    private static Optional<String> bearerToken(ServerHttpRequest request) {
        List<String> values = request.getHeaders().getOrEmpty(HttpHeaders.AUTHORIZATION);
        for (String value : values) {
            if (value != null && value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return Optional.of(value.substring(BEARER.length()).trim());
            }
        }
        return Optional.empty();
    }

    private static String cookieToken(ServerHttpRequest request) {
        HttpCookie cookie = request.getCookies().getFirst(TokenCookie.NAME);
        return cookie == null ? null : cookie.getValue();
    }
}
