package dev.streamchat.bench.before;

// The gateway's class before issue 8, kept only here as the "before" of the benchmarks.

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental Server-Sent Events parser (WHATWG rules) fed with raw network chunks. Chunks may split an
 * event, a line, a CRLF pair or a multi-byte UTF-8 character at any byte: lines are decoded only once
 * complete. Comments ({@code : keepalive}), {@code retry:} and unknown fields are skipped. Not thread-safe:
 * one parser per stream, fed in order.
 */
public final class SseEventParser {

    private final int maxLineBytes;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private boolean dataSeen;
    private String eventName;
    private String lastId;
    private boolean lastWasCr;
    private boolean firstLine = true;

    public SseEventParser() {
        this(1 << 20);
    }

    /** @param maxLineBytes longest line accepted; a longer one is a protocol error (bounded memory) */
    public SseEventParser(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /** Feeds the next chunk and returns the events it completed, in order (often none). */
    public List<SseEvent> feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    public List<SseEvent> feed(byte[] chunk, int offset, int length) {
        List<SseEvent> events = null;
        for (int i = offset; i < offset + length; i++) {
            byte b = chunk[i];
            if (lastWasCr) {
                lastWasCr = false;
                if (b == '\n') {
                    continue; // second half of a CRLF split anywhere, even across chunks
                }
            }
            if (b == '\r' || b == '\n') {
                lastWasCr = b == '\r';
                SseEvent event = endOfLine();
                if (event != null) {
                    if (events == null) {
                        events = new ArrayList<>(2);
                    }
                    events.add(event);
                }
            } else {
                if (line.size() >= maxLineBytes) {
                    throw new IllegalStateException("SSE line longer than " + maxLineBytes + " bytes");
                }
                line.write(b);
            }
        }
        return events == null ? List.of() : events;
    }

    private SseEvent endOfLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (firstLine) {
            firstLine = false;
            if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            return dispatch();
        }
        if (text.charAt(0) == ':') {
            return null; // comment / keepalive
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "data" -> {
                data.append(value).append('\n');
                dataSeen = true;
            }
            case "event" -> eventName = value;
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastId = value;
                }
            }
            default -> {
                // retry: and unknown fields are ignored
            }
        }
        return null;
    }

    private SseEvent dispatch() {
        if (!dataSeen) {
            eventName = null;
            return null;
        }
        String payload = data.substring(0, data.length() - 1);
        SseEvent event = new SseEvent(eventName, lastId, payload);
        data.setLength(0);
        dataSeen = false;
        eventName = null;
        return event;
    }
}
