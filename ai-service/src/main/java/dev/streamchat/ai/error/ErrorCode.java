package dev.streamchat.ai.error;

import org.springframework.http.HttpStatus;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The one code space of the ai-service (STYLE.md section 6): each code carries its HTTP status, whether a client may
 * retry, and the wire name of CONTRACT.md used in problem+json {@code code} and in SSE {@code error} events.
 */
public enum ErrorCode {
    BAD_REQUEST("bad_request", HttpStatus.BAD_REQUEST, false),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, false),
    NOT_FOUND("not_found", HttpStatus.NOT_FOUND, false),
    /** The user already stores {@code DOCUMENTS_MAX_PER_USER} documents: delete one first. */
    DOCUMENT_LIMIT("document_limit", HttpStatus.CONFLICT, false),
    PAYLOAD_TOO_LARGE("payload_too_large", HttpStatus.PAYLOAD_TOO_LARGE, false),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, false),
    RATE_LIMITED("rate_limited", HttpStatus.TOO_MANY_REQUESTS, true),
    UPSTREAM_ERROR("upstream_error", HttpStatus.BAD_GATEWAY, true),
    UNAVAILABLE("unavailable", HttpStatus.SERVICE_UNAVAILABLE, true),
    TIMEOUT("timeout", HttpStatus.GATEWAY_TIMEOUT, true),
    INTERNAL("internal", HttpStatus.INTERNAL_SERVER_ERROR, false);

    /** Base of the problem {@code type} URIs; the code is appended. */
    public static final String TYPE_BASE = "https://streamchat.dev/problems/";

    private final String wireName;
    private final HttpStatus status;
    private final boolean retryable;

    ErrorCode(String wireName, HttpStatus status, boolean retryable) {
        this.wireName = wireName;
        this.status = status;
        this.retryable = retryable;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public HttpStatus status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The code a framework-raised error of this status maps to (e.g. 400 for malformed JSON, 405, 406). */
    public static ErrorCode forStatus(int status) {
        for (ErrorCode code : values()) {
            if (code.status.value() == status) {
                return code;
            }
        }
        return status >= 500 ? INTERNAL : BAD_REQUEST;
    }
}
