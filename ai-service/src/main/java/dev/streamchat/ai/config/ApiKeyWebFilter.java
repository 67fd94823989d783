package dev.streamchat.ai.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.streamchat.ai.error.ErrorCode;
import dev.streamchat.ai.error.ProblemResponses;
import reactor.core.publisher.Mono;

/**
 * Every {@code /api/**} call needs header {@code X-API-Key} equal to {@code AI_SERVICE_API_KEY}, else 401
 * {@code unauthorized} as problem+json; everything else ({@code /actuator/health}) passes. With no key configured
 * every API call is refused. Runs before anything reads the body.
 */
@Component
public class ApiKeyWebFilter implements WebFilter, Ordered {

    public static final String HEADER = "X-API-Key";

    private final byte[] expected;
    private final ProblemResponses problems;

    public ApiKeyWebFilter(ApiKeyProperties properties, ProblemResponses problems) {
        String key = properties.apiKey();
        this.expected = key == null || key.isBlank() ? null : key.getBytes(StandardCharsets.UTF_8);
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.equals("/api") && !path.startsWith("/api/")) {
            return chain.filter(exchange);
        }
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        if (expected != null && given != null
                && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return chain.filter(exchange);
        }
        return problems.write(exchange, ErrorCode.UNAUTHORIZED, "missing or wrong X-API-Key");
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
