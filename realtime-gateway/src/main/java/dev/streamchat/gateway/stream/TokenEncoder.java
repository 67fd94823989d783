package dev.streamchat.gateway.stream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.streamchat.gateway.socket.EncodedPayload;

/**
 * Builds one stream's {@code chat-stream-token} payloads, {@code {"sessionId":…,"streamId":…,"seq":n,"token":…}},
 * as JSON bytes, once per token for every socket of the room: the part up to {@code "seq":} is encoded once per
 * stream, then each token appends its seq and its escaped text. One exact-size array per token, no map, no boxing.
 * The live relay and the resume replay use the same encoder, so a replayed token is byte-identical to the live one.
 * Not thread-safe (a reused scratch buffer): the relay calls it under the stream's lock.
 */
final class TokenEncoder {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOKEN_KEY = ",\"token\":\"".getBytes(StandardCharsets.US_ASCII);

    private final String sessionId;
    private final String streamId;
    private final byte[] prefix;
    private byte[] scratch = new byte[256];

    TokenEncoder(String sessionId, String streamId) {
        this.sessionId = sessionId;
        this.streamId = streamId;
        StringBuilder head = new StringBuilder(96).append("{\"sessionId\":");
        appendQuoted(head, sessionId);
        head.append(",\"streamId\":");
        appendQuoted(head, streamId);
        head.append(",\"seq\":");
        this.prefix = head.toString().getBytes(StandardCharsets.UTF_8);
    }

    String sessionId() {
        return sessionId;
    }

    String streamId() {
        return streamId;
    }

    EncodedPayload encode(long seq, String token) {
        // Worst case per char: 6 bytes (\\u00XX); a surrogate pair is 2 chars for 4 bytes.
        int max = prefix.length + 20 + TOKEN_KEY.length + token.length() * 6 + 2;
        if (scratch.length < max) {
            scratch = new byte[Math.max(max, scratch.length * 2)];
        }
        byte[] out = scratch;
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        int at = writeLong(out, prefix.length, seq);
        System.arraycopy(TOKEN_KEY, 0, out, at, TOKEN_KEY.length);
        at = writeEscaped(out, at + TOKEN_KEY.length, token);
        out[at++] = '"';
        out[at++] = '}';
        return new EncodedPayload(streamId, seq, Arrays.copyOf(out, at));
    }

    private static int writeLong(byte[] out, int at, long value) {
        if (value == 0) {
            out[at] = '0';
            return at + 1;
        }
        int digits = 0;
        for (long v = value; v != 0; v /= 10) {
            digits++;
        }
        int end = at + digits;
        for (long v = value; v != 0; v /= 10) {
            out[--end] = (byte) ('0' + (v % 10));
        }
        return at + digits;
    }

    /** JSON string content as UTF-8: quote, backslash and control characters escaped; a lone surrogate becomes U+FFFD. */
    private static int writeEscaped(byte[] out, int at, String text) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\') {
                    out[at++] = (byte) c;
                    continue;
                }
                out[at++] = '\\';
                switch (c) {
                    case '"' -> out[at++] = '"';
                    case '\\' -> out[at++] = '\\';
                    case '\n' -> out[at++] = 'n';
                    case '\r' -> out[at++] = 'r';
                    case '\t' -> out[at++] = 't';
                    case '\b' -> out[at++] = 'b';
                    case '\f' -> out[at++] = 'f';
                    default -> {
                        out[at++] = 'u';
                        out[at++] = '0';
                        out[at++] = '0';
                        out[at++] = HEX[c >> 4];
                        out[at++] = HEX[c & 0xF];
                    }
                }
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[at++] = (byte) (0xF0 | (cp >> 18));
                out[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (Character.isSurrogate(c)) {
                    c = '\uFFFD';
                }
                out[at++] = (byte) (0xE0 | (c >> 12));
                out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return at;
    }

    private static void appendQuoted(StringBuilder out, String text) {
        if (text == null) {
            out.append("null");
            return;
        }
        byte[] buffer = new byte[text.length() * 6];
        int end = writeEscaped(buffer, 0, text);
        out.append('"').append(new String(buffer, 0, end, StandardCharsets.UTF_8)).append('"');
    }
}
