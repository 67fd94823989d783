package dev.streamchat.gateway.socket;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.streamchat.gateway.error.ErrorCode;

/** The ack payloads of contract section 3: {@code {ok:true,...}} or {@code {ok:false, error:{code,message}}}. */
final class SocketAcks {

    private SocketAcks() {
    }

    static Map<String, Object> ok() {
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("ok", true);
        return ack;
    }

    static Map<String, Object> ok(String status) {
        Map<String, Object> ack = ok();
        ack.put("status", status);
        return ack;
    }

    static Map<String, Object> failure(ErrorCode code, String message) {
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("ok", false);
        ack.put("error", error(code, message));
        return ack;
    }

    static Map<String, Object> failure(String status, ErrorCode code, String message) {
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("ok", false);
        ack.put("status", status);
        ack.put("error", error(code, message));
        return ack;
    }

    private static Map<String, Object> error(ErrorCode code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.wireName());
        error.put("message", message);
        return error;
    }
}
