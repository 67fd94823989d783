package dev.streamchat.gateway.error;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import reactor.core.publisher.Mono;

/**
 * Writes problem+json bodies from places the controller advice never sees (WebFilters: JWT, CSRF, rate
 * limits), in the same shape as {@link ApiException}.
 */
public final class ProblemResponses {

    public static final String TYPE_BASE = "https://streamchat.dev/problems/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemResponses() {
    }

    /** Ends the exchange with a problem+json body for {@code code}. */
    public static Mono<Void> write(ServerWebExchange exchange, ErrorCode code, String detail) {
        return write(exchange, code, detail, null);
    }

    public static Mono<Void> write(ServerWebExchange exchange, ErrorCode code, String detail, Duration retryAfter) {
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(code.status());
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (retryAfter != null) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(retryAfter)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", URI.create(TYPE_BASE + code.wireName()).toString());
        body.put("title", code.status().getReasonPhrase());
        body.put("status", code.status().value());
        body.put("detail", detail);
        body.put("instance", exchange.getRequest().getPath().value());
        body.put("code", code.wireName());
        body.put("requestId", exchange.getRequest().getId());
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            bytes = ("{\"code\":\"" + code.wireName() + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        DataBuffer buffer = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(buffer));
    }

    /** Whole seconds, rounded up, never below 1: what {@code Retry-After} carries. */
    public static long retryAfterSeconds(Duration wait) {
        long millis = Math.max(0, wait.toMillis());
        return Math.max(1, (millis + 999) / 1000);
    }
}
