package dev.streamchat.gateway.socket;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * Splits an Engine.IO v4 payload into its packets: a WebSocket frame is one packet, a polling body holds several
 * separated by the record separator {@code 0x1E} (which JSON text can never contain unescaped).
 */
final class EngineIoRecords {

    static final byte SEPARATOR = 0x1E;

    private EngineIoRecords() {
    }

    /** [start, end) index pairs of each packet inside {@code content}'s readable bytes. */
    static List<int[]> ranges(ByteBuf content) {
        List<int[]> ranges = new ArrayList<>();
        int start = content.readerIndex();
        int end = content.writerIndex();
        int recordStart = start;
        for (int i = start; i < end; i++) {
            if (content.getByte(i) == SEPARATOR) {
                ranges.add(new int[] {recordStart, i});
                recordStart = i + 1;
            }
        }
        ranges.add(new int[] {recordStart, end});
        return ranges;
    }

    /** Engine.IO message packets (type {@code 4}: every Socket.IO packet), as opposed to ping/pong/upgrade. */
    static boolean isMessage(ByteBuf content, int[] range) {
        return range[1] > range[0] && content.getByte(range[0]) == '4';
    }
}
