package dev.streamchat.gateway.socket;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import io.netty.buffer.ByteBuf;

/**
 * The only client packets the gateway lets through to netty-socketio: Engine.IO v4 text packets, each one of
 * <ul>
 *   <li>{@code 1} close, {@code 2probe} upgrade probe, {@code 3} pong, {@code 6} noop; {@code 5} upgrade over a
 *       WebSocket only (the transport it upgrades to: netty-socketio 2.0.14 throws on one sent over polling);</li>
 *   <li>{@code 40[/nsp,][{...}]} CONNECT, before authentication only, with at most a JSON object;</li>
 *   <li>{@code 41[/nsp,]} DISCONNECT;</li>
 *   <li>{@code 42[/nsp,][ackId]["event", ...args]} EVENT, after authentication only, whose name is a string of 1 to
 *       {@value #MAX_EVENT_NAME_CHARS} characters.</li>
 * </ul>
 * Everything else is refused: Engine.IO v2/v3 payload framing ({@code 0x00 <digits> 0xFF}, {@code <length>:}),
 * binary packets ({@code b...}), binary events and acks with attachments ({@code 45}, {@code 46}), acks ({@code 43}:
 * the gateway never asks the client for one), server-only packets, malformed JSON, JSON nested deeper than
 * {@value #MAX_JSON_DEPTH}. netty-socketio 2.0.14 still decodes the old framings and holds binary attachments without
 * a bound, and throws on several malformed headers; refusing them here is what keeps its decoder on the one path the
 * contract names. Stateless and thread-safe.
 */
final class InboundPacketRules {

    static final int MAX_EVENT_NAME_CHARS = 64;
    static final int MAX_NAMESPACE_CHARS = 64;
    static final int MAX_ACK_ID_DIGITS = 9;
    static final int MAX_JSON_DEPTH = 16;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_JSON_DEPTH)
                    .maxNumberLength(64)
                    .build())
            .build();

    private InboundPacketRules() {
    }

    /**
     * Why the packet in {@code [start, end)} of {@code content}, which came over a WebSocket or (when
     * {@code overWebSocket} is false) in a polling request, is refused, or null when it is allowed.
     */
    static String violation(ByteBuf content, int start, int end, boolean authenticated, boolean overWebSocket) {
        int length = end - start;
        if (length == 0) {
            return "empty packet";
        }
        byte type = content.getByte(start);
        return switch (type) {
            case '1', '3', '5', '6' -> length != 1 ? "unexpected data after an Engine.IO control packet"
                    : type == '5' && !overWebSocket ? "an upgrade packet comes only over the WebSocket it upgrades to"
                    : null;
            case '2' -> equalsAscii(content, start, end, "2probe") ? null : "a client may only send the upgrade probe ping";
            case '4' -> socketIoViolation(content, start + 1, end, authenticated);
            default -> "not an Engine.IO v4 text packet";
        };
    }

    private static String socketIoViolation(ByteBuf content, int start, int end, boolean authenticated) {
        if (start >= end) {
            return "empty Socket.IO packet";
        }
        byte type = content.getByte(start);
        int index = start + 1;
        if (index < end && content.getByte(index) == '/') {
            int comma = index;
            while (comma < end && content.getByte(comma) != ',') {
                byte b = content.getByte(comma);
                if (!(b == '/' || b == '_' || b == '-' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))) {
                    return "malformed namespace";
                }
                comma++;
            }
            if (comma == end || comma - index > MAX_NAMESPACE_CHARS) {
                return "malformed namespace";
            }
            index = comma + 1;
        }
        switch (type) {
            case '0' -> {
                if (authenticated) {
                    return "the socket is already connected";
                }
                if (index == end) {
                    return null;
                }
                if (content.getByte(index) != '{' || content.indexOf(index, end, (byte) '[') >= 0) {
                    return "the CONNECT payload must be a JSON object such as {\"token\":\"...\"}";
                }
                return jsonViolation(content, index, end, JsonToken.START_OBJECT);
            }
            case '1' -> {
                // Allowed before sign-in too: a client whose CONNECT was refused may still say goodbye.
                return index == end ? null : "unexpected data after DISCONNECT";
            }
            case '2' -> {
                if (!authenticated) {
                    return "events need an authenticated socket";
                }
                int digits = 0;
                while (index < end && content.getByte(index) >= '0' && content.getByte(index) <= '9') {
                    index++;
                    digits++;
                }
                if (digits > MAX_ACK_ID_DIGITS) {
                    return "ack id too long";
                }
                if (index == end || content.getByte(index) != '[') {
                    return "an event must be a JSON array";
                }
                return jsonViolation(content, index, end, JsonToken.START_ARRAY);
            }
            default -> {
                return "only CONNECT, DISCONNECT and EVENT packets are accepted (no acks, no binary)";
            }
        }
    }

    /** One JSON value of the expected kind and nothing after it; for an array, the first element is the event name. */
    private static String jsonViolation(ByteBuf content, int start, int end, JsonToken expected) {
        byte[] bytes = new byte[end - start];
        content.getBytes(start, bytes);
        try (JsonParser parser = JSON.createParser(bytes)) {
            if (parser.nextToken() != expected) {
                return "unexpected JSON";
            }
            if (expected == JsonToken.START_ARRAY) {
                if (parser.nextToken() != JsonToken.VALUE_STRING) {
                    return "the event name must be a string";
                }
                int nameLength = parser.getTextLength();
                if (nameLength == 0 || nameLength > MAX_EVENT_NAME_CHARS) {
                    return "the event name must have 1 to " + MAX_EVENT_NAME_CHARS + " characters";
                }
            }
            int depth = 1;
            while (depth > 0) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    return "truncated JSON";
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
            }
            if (parser.nextToken() != null) {
                return "data after the JSON value";
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return "malformed JSON";
        }
    }

    private static boolean equalsAscii(ByteBuf content, int start, int end, String expected) {
        if (end - start != expected.length()) {
            return false;
        }
        for (int i = 0; i < expected.length(); i++) {
            if (content.getByte(start + i) != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
