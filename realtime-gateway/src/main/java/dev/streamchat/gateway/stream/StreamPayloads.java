package dev.streamchat.gateway.stream;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.streamchat.gateway.error.ErrorCode;

/** The socket payloads of contract section 3, as ordered maps with every key present (null when unknown). */
final class StreamPayloads {

    private StreamPayloads() {
    }

    static Map<String, Object> start(StreamSpec spec) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sessionId", spec.sessionId());
        p.put("streamId", spec.streamId());
        p.put("messageId", spec.messageId());
        p.put("clientRequestId", spec.clientRequestId());
        return p;
    }

    static Map<String, Object> token(String sessionId, String streamId, long seq, String token) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sessionId", sessionId);
        p.put("streamId", streamId);
        p.put("seq", seq);
        p.put("token", token);
        return p;
    }

    static Map<String, Object> error(StreamSpec spec, ErrorCode code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.wireName());
        error.put("message", message);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sessionId", spec.sessionId());
        p.put("streamId", spec.streamId());
        p.put("error", error);
        p.put("retryable", code.retryable());
        return p;
    }
}
