package dev.streamchat.gateway.error;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import reactor.core.publisher.Mono;

/**
 * Renders every controller failure as problem+json with the contract's {@code code} and a
 * {@code requestId}. Framework errors (unreadable body, unsupported media type, ...) get the code of their
 * status; anything unexpected is 500 {@code internal} with a safe detail (the cause is logged, not shown).
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    /** A body over its limit ({@code RequestBodyLimit}, the codecs' in-memory limit): 413, whoever read it. */
    @ExceptionHandler(DataBufferLimitException.class)
    Mono<ResponseEntity<Object>> tooLarge(DataBufferLimitException ex, ServerWebExchange exchange) {
        ApiException problem = new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large.");
        return handleExceptionInternal(problem, problem.getBody(), new HttpHeaders(), problem.getStatusCode(), exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex, HttpHeaders headers,
                                                                         HttpStatusCode status, ServerWebExchange exchange) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataBufferLimitException limit) {
                return tooLarge(limit, exchange);
            }
        }
        return super.handleServerWebInputException(ex, headers, status, exchange);
    }

    @ExceptionHandler(Exception.class)
    Mono<ResponseEntity<Object>> unexpected(Exception ex, ServerWebExchange exchange) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataBufferLimitException limit) {
                return tooLarge(limit, exchange);
            }
        }
        log.error("unexpected failure path={} requestId={}", exchange.getRequest().getPath().value(),
                exchange.getRequest().getId(), ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(ErrorCode.INTERNAL.status(), "Something went wrong.");
        return handleExceptionInternal(ex, problem, new HttpHeaders(), ErrorCode.INTERNAL.status(), exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                                   HttpStatusCode status, ServerWebExchange exchange) {
        if (body == null && ex instanceof ErrorResponse errorResponse) {
            body = errorResponse.getBody();
        }
        ProblemDetail problem = body instanceof ProblemDetail detail ? detail
                : ProblemDetail.forStatus(status);
        ErrorCode code = ex instanceof ApiException api ? api.code() : codeFor(status);
        if (problem.getProperties() == null || !problem.getProperties().containsKey("code")) {
            problem.setProperty("code", code.wireName());
        }
        problem.setType(URI.create(ProblemResponses.TYPE_BASE + code.wireName()));
        problem.setProperty("requestId", exchange.getRequest().getId());
        if (problem.getInstance() == null) {
            problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        }
        HttpHeaders out = new HttpHeaders();
        if (headers != null) {
            out.putAll(headers);
        }
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return Mono.just(ResponseEntity.status(status).headers(out).body(problem));
    }

    static ErrorCode codeFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> ErrorCode.BAD_REQUEST;
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404, 405 -> ErrorCode.NOT_FOUND;
            case 409 -> ErrorCode.STREAM_ACTIVE;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> ErrorCode.UNAVAILABLE;
            case 504 -> ErrorCode.TIMEOUT;
            case 502 -> ErrorCode.UPSTREAM_ERROR;
            default -> status.is4xxClientError() ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
        };
    }
}
