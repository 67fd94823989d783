package dev.streamchat.gateway.shutdown;

import java.time.Duration;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.error.ProblemResponses;
import dev.streamchat.gateway.http.StreamStartRequests;
import reactor.core.publisher.Mono;

/**
 * While this node shuts down, a request that would start a stream ({@code POST /chat/new}, {@code /chat/stream},
 * {@code /chat/sessions/{id}/retry}) gets 503 {@code unavailable} with {@code Retry-After: 1} before anything else
 * is checked: the client (or the load balancer) sends it to another node. Everything else is served as usual.
 */
@Component
class DrainingFilter implements WebFilter, Ordered {

    private final GracefulShutdown shutdown;

    DrainingFilter(GracefulShutdown shutdown) {
        this.shutdown = shutdown;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (shutdown.draining() && StreamStartRequests.matches(exchange)) {
            return ProblemResponses.write(exchange, ErrorCode.UNAVAILABLE,
                    "This server is restarting; try again.", Duration.ofSeconds(1));
        }
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
