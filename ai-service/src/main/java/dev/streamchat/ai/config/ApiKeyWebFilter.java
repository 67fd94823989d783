package dev.streamchat.ai.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.streamchat.ai.error.ErrorCode;
import dev.streamchat.ai.error.ProblemResponses;
import reactor.core.publisher.Mono;

/**
 * Deny by default: every request needs header {@code X-API-Key} equal to {@code AI_SERVICE_API_KEY}, else 401
 * {@code unauthorized} as problem+json. The only exceptions are {@code GET}/{@code HEAD} of the health probes in
 * {@link #PUBLIC_PATHS}, compared with the raw request path byte for byte: the router decodes {@code %61},
 * strips {@code ;params} and so on, so a check on any other spelling could disagree with what gets routed, while an
 * exact match of the raw path can only ever let the probes through. With no key configured every other call is
 * refused. Runs before anything reads the body.
 */
@Component
public class ApiKeyWebFilter implements WebFilter, Ordered {

    public static final String HEADER = "X-API-Key";

    /** The raw paths anyone may {@code GET}: the liveness and readiness probes of orchestrators. */
    static final Set<String> PUBLIC_PATHS = Set.of("/actuator/health", "/actuator/health/liveness",
            "/actuator/health/readiness");

    private final byte[] expected;
    private final ProblemResponses problems;

    public ApiKeyWebFilter(ApiKeyProperties properties, ProblemResponses problems) {
        String key = properties.apiKey();
        this.expected = key == null || key.isBlank() ? null : key.getBytes(StandardCharsets.UTF_8);
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (isPublic(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        if (expected != null && given != null
                && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return chain.filter(exchange);
        }
        return problems.write(exchange, ErrorCode.UNAUTHORIZED, "missing or wrong X-API-Key");
    }

    private static boolean isPublic(ServerHttpRequest request) {
        HttpMethod method = request.getMethod();
        return (HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method))
                && PUBLIC_PATHS.contains(request.getURI().getRawPath());
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
