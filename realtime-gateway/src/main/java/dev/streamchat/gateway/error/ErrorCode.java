package dev.streamchat.gateway.error;

import org.springframework.http.HttpStatus;

/**
 * The one code space of the gateway (contract sections 2 and 3): each code has its wire name, its HTTP
 * status for REST and whether a client may retry the same request.
 */
public enum ErrorCode {
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, false),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, false),
    BAD_REQUEST("bad_request", HttpStatus.BAD_REQUEST, false),
    NOT_FOUND("not_found", HttpStatus.NOT_FOUND, false),
    STREAM_ACTIVE("stream_active", HttpStatus.CONFLICT, false),
    RATE_LIMITED("rate_limited", HttpStatus.TOO_MANY_REQUESTS, true),
    QUOTA_EXCEEDED("quota_exceeded", HttpStatus.TOO_MANY_REQUESTS, false),
    /** The user already runs {@code CHAT_MAX_CONCURRENT_STREAMS_PER_USER} streams (any node). */
    TOO_MANY_STREAMS("too_many_streams", HttpStatus.TOO_MANY_REQUESTS, true),
    /** The user already holds {@code SOCKET_MAX_PER_USER} sockets on all nodes together (socket-error only). */
    TOO_MANY_SOCKETS("too_many_sockets", HttpStatus.TOO_MANY_REQUESTS, false),
    /** The session holds {@code CHAT_MAX_SESSION_MESSAGES} entries or {@code CHAT_MAX_SESSION_BYTES} of text. */
    SESSION_FULL("session_full", HttpStatus.CONFLICT, false),
    /** The user already stores the ai-service's {@code DOCUMENTS_MAX_PER_USER} documents. */
    DOCUMENT_LIMIT("document_limit", HttpStatus.CONFLICT, false),
    PAYLOAD_TOO_LARGE("payload_too_large", HttpStatus.CONTENT_TOO_LARGE, false),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, false),
    UNAVAILABLE("unavailable", HttpStatus.SERVICE_UNAVAILABLE, true),
    TIMEOUT("timeout", HttpStatus.GATEWAY_TIMEOUT, true),
    UPSTREAM_ERROR("upstream_error", HttpStatus.BAD_GATEWAY, true),
    INTERNAL("internal", HttpStatus.INTERNAL_SERVER_ERROR, false);

    private final String wireName;
    private final HttpStatus status;
    private final boolean retryable;

    ErrorCode(String wireName, HttpStatus status, boolean retryable) {
        this.wireName = wireName;
        this.status = status;
        this.retryable = retryable;
    }

    /** The name clients see in {@code code} (REST problem+json) and {@code error.code} (socket events). */
    public String wireName() {
        return wireName;
    }

    public HttpStatus status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The code for a wire name, or {@link #INTERNAL} for a name this gateway does not know. */
    public static ErrorCode fromWireName(String wireName) {
        for (ErrorCode code : values()) {
            if (code.wireName.equals(wireName)) {
                return code;
            }
        }
        return INTERNAL;
    }
}
