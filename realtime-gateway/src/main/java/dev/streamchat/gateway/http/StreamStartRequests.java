package dev.streamchat.gateway.http;

import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;

/**
 * The requests that start a stream: {@code POST /chat/new}, {@code /chat/stream} and
 * {@code /chat/sessions/{id}/retry}. A draining node refuses them; the auth filter starts reading the caller's plan
 * for them while it checks the token.
 */
public final class StreamStartRequests {

    private StreamStartRequests() {
    }

    public static boolean matches(ServerWebExchange exchange) {
        if (exchange.getRequest().getMethod() != HttpMethod.POST) {
            return false;
        }
        String path = exchange.getRequest().getPath().value();
        return path.equals("/api/v1/chat/new") || path.equals("/api/v1/chat/stream")
                || (path.startsWith("/api/v1/chat/sessions/") && path.endsWith("/retry"));
    }
}
