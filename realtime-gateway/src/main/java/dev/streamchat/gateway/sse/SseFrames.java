package dev.streamchat.gateway.sse;

import java.nio.charset.StandardCharsets;

import dev.streamchat.gateway.socket.EncodedPayload;
import dev.streamchat.gateway.socket.SocketEvents;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bytes of one SSE frame: {@code event: <name>}, {@code id: <seq>} for tokens and progress, {@code data: <the
 * socket payload's JSON>} and a blank line. The JSON never holds a raw newline (JSON escapes it), so one data line
 * carries it whole. Token payloads are the relay's pre-encoded bytes, copied as they are.
 */
final class SseFrames {

    static final byte[] KEEPALIVE = ": keepalive\n\n".getBytes(StandardCharsets.US_ASCII);

    private SseFrames() {
    }

    /** The SSE event name of a socket event, or null for one that has none. */
    static String name(String socketEvent) {
        return switch (socketEvent) {
            case SocketEvents.STREAM_START -> "start";
            case SocketEvents.STREAM_TOKEN -> "token";
            case SocketEvents.STREAM_PROGRESS -> "progress";
            case SocketEvents.STREAM_COMPLETE -> "complete";
            case SocketEvents.STREAM_ERROR -> "error";
            default -> null;
        };
    }

    static boolean isFinal(String socketEvent) {
        return SocketEvents.STREAM_COMPLETE.equals(socketEvent) || SocketEvents.STREAM_ERROR.equals(socketEvent);
    }

    static byte[] frame(String name, long seq, Object payload, JsonMapper json) {
        byte[] data = payload instanceof EncodedPayload encoded ? encoded.json() : json.writeValueAsBytes(payload);
        byte[] head = ("event: " + name + "\n" + (seq > 0 ? "id: " + seq + "\n" : "") + "data: ")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + data.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(data, 0, out, head.length, data.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }
}
