package dev.streamchat.gateway.http;

import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import reactor.core.publisher.Mono;

/**
 * Security headers on every REST-port response, errors included: a Content-Security-Policy fitted to the page
 * (its own ES modules, styles and the vendored socket.io-client from this origin, a {@code data:} favicon, and
 * connections to this origin and to the Socket.IO server), {@code frame-ancestors 'none'} (with
 * {@code X-Frame-Options: DENY} for old browsers), {@code nosniff} and {@code Referrer-Policy: no-referrer}.
 * API responses (they carry a user's data) are {@code Cache-Control: no-store}, except SSE streams ({@code no-cache},
 * set with them: what proxies and EventSource clients expect of an event stream, and nothing is stored either way).
 */
@Component
class SecurityHeadersWebFilter implements WebFilter, Ordered {

    /** What a Host may look like to be named in the policy. */
    private static final Pattern PLAIN_HOST = Pattern.compile("[A-Za-z0-9.:\\[\\]-]+");
    /** Policies per scheme and Host seen, at most this many (a Host is the client's to choose); others are built anew. */
    static final int MAX_CACHED_POLICIES = 64;

    private final int socketPort;
    /** The policy when {@code SOCKET_PUBLIC_URL} names the Socket.IO server: the same for every request. */
    private final String fixedPolicy;
    private final ConcurrentHashMap<String, String> policyByOrigin = new ConcurrentHashMap<>();

    SecurityHeadersWebFilter(@Value("${gateway.socket.port:8081}") int socketPort,
                             @Value("${gateway.socket.public-url:}") String socketPublicUrl) {
        this.socketPort = socketPort;
        String publicUrl = socketPublicUrl == null ? "" : socketPublicUrl.trim();
        this.fixedPolicy = publicUrl.isEmpty() ? null : policy(publicSocketOrigin(publicUrl));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE; // before authentication, so 401/403 answers carry the headers too
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("Content-Security-Policy", policy(request));
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        if (RoutedPath.of(request.getPath().pathWithinApplication()).startsWith("/api/")) {
            exchange.getResponse().beforeCommit(() -> {
                if (MediaType.TEXT_EVENT_STREAM.isCompatibleWith(headers.getContentType())) {
                    return Mono.empty(); // an SSE stream says no-cache itself, as proxies expect of one
                }
                headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
                headers.remove(HttpHeaders.EXPIRES);
                headers.remove(HttpHeaders.PRAGMA);
                return Mono.empty();
            });
        }
        return chain.filter(exchange);
    }

    /**
     * The policy for this request, built once per scheme and Host (it names the Socket.IO server at the Host the page
     * was loaded from): a URI and two regular expressions per response were a few per cent of a stream start's CPU.
     */
    private String policy(ServerHttpRequest request) {
        if (fixedPolicy != null) {
            return fixedPolicy;
        }
        URI uri = request.getURI();
        String origin = (uri.getScheme() == null ? "http" : uri.getScheme()) + "://" + uri.getHost();
        String cached = policyByOrigin.get(origin);
        if (cached != null) {
            return cached;
        }
        String policy = policy(requestSocketOrigin(uri));
        if (policyByOrigin.size() < MAX_CACHED_POLICIES) {
            policyByOrigin.put(origin, policy);
        }
        return policy;
    }

    private static String policy(String socketOrigin) {
        String connect = "'self'";
        if (socketOrigin != null) {
            String webSocket = socketOrigin.startsWith("http") ? "ws" + socketOrigin.substring(4) : socketOrigin;
            connect += " " + socketOrigin + " " + webSocket;
        }
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                + "connect-src " + connect + "; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
                + "frame-ancestors 'none'";
    }

    /** The Socket.IO server's origin as {@code SOCKET_PUBLIC_URL} names it (scheme://host:port), or null. */
    private static String publicSocketOrigin(String socketPublicUrl) {
        try {
            URI uri = URI.create(socketPublicUrl);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return null;
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The Socket.IO server's origin at the request's Host, as {@code GET /api/v1/config} names it, or null. */
    private String requestSocketOrigin(URI uri) {
        String host = uri.getHost();
        if (host == null || !PLAIN_HOST.matcher(host).matches()) {
            return null; // a Host header that is not a plain host name never goes into the policy
        }
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (uri.getScheme() == null ? "http" : uri.getScheme()) + "://" + host + ":" + socketPort;
    }
}
