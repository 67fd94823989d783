package dev.streamchat.ai.error;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import reactor.core.publisher.Mono;

/**
 * The one place REST errors become problem+json: adds {@code code}, {@code requestId} and a {@code type} per code to
 * every ProblemDetail, and turns anything unexpected into a 500 {@code internal} whose detail reveals nothing.
 */
@RestControllerAdvice
public class ProblemDetailAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailAdvice.class);

    @ExceptionHandler(Exception.class)
    public Mono<ResponseEntity<Object>> handleUnexpected(Exception ex, ServerWebExchange exchange) {
        log.error("unhandled error requestId={} path={}", exchange.getRequest().getId(),
                exchange.getRequest().getPath().value(), ex);
        ProblemDetail body = ApiException.problem(ErrorCode.INTERNAL, "internal error");
        return handleExceptionInternal(ex, body, null, ErrorCode.INTERNAL.status(), exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        if (causedBy(ex, DataBufferLimitException.class)) {
            ProblemDetail body = ApiException.problem(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is too large");
            return handleExceptionInternal(ex, body, headers, ErrorCode.PAYLOAD_TOO_LARGE.status(), exchange);
        }
        // The framework's detail may quote the decoder's message; say only what was wrong, safely.
        ProblemDetail body = ApiException.problem(ErrorCode.BAD_REQUEST, "malformed or unreadable JSON body");
        return handleExceptionInternal(ex, body, headers, status, exchange);
    }

    /** A body over the codec's in-memory limit, however the framework wrapped it. */
    @ExceptionHandler(DataBufferLimitException.class)
    public Mono<ResponseEntity<Object>> handleTooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
        ProblemDetail body = ApiException.problem(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is too large");
        return handleExceptionInternal(ex, body, null, ErrorCode.PAYLOAD_TOO_LARGE.status(), exchange);
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Mono<ResponseEntity<Object>> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
            ServerWebExchange exchange) {
        if (body instanceof ProblemDetail problem) {
            if (problem.getProperties() == null || !problem.getProperties().containsKey("code")) {
                problem.setProperty("code", ErrorCode.forStatus(status.value()).wireName());
            }
            problem.setType(URI.create(ErrorCode.TYPE_BASE + problem.getProperties().get("code")));
            problem.setProperty("requestId", exchange.getRequest().getId());
            // Always problem+json, also when the client asked for text/event-stream (the SSE writer would take it).
            HttpHeaders problemHeaders = new HttpHeaders();
            if (headers != null) {
                problemHeaders.putAll(headers);
            }
            problemHeaders.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
            headers = problemHeaders;
        }
        return super.createResponseEntity(body, headers, status, exchange);
    }
}
