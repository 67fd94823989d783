package dev.streamchat.gateway.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Incremental Server-Sent Events parser (WHATWG line rules) fed with raw network chunks, without per-byte work:
 * line ends are found with {@link ByteBuf#indexOf} (a word-at-a-time scan), field names are compared as bytes, and
 * only the {@code data:} value is copied, in bulk. Only the bytes of a line that spans chunks are carried over.
 * Chunks may split an event, a line, a CRLF pair or a multi-byte UTF-8 character at any byte. Comments
 * ({@code : keepalive}), {@code event:}, {@code id:}, {@code retry:} and unknown fields are skipped: the relay needs
 * only the data. Not thread-safe: one parser per stream, fed in order.
 */
public final class SseEventParser {

    /** Receives each event's data: UTF-8 bytes, lines joined by LF, valid only during the call. */
    @FunctionalInterface
    public interface DataListener {
        void onData(byte[] data, int length);
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final int maxLineBytes;
    private ByteBuf carry;
    private byte[] data = new byte[256];
    private int dataLength;
    private boolean dataSeen;
    private boolean skipLf;
    private boolean firstLine = true;

    public SseEventParser() {
        this(1 << 20);
    }

    /** @param maxLineBytes longest line (and event data) accepted; more is a protocol error (bounded memory) */
    public SseEventParser(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads every readable byte of {@code chunk} (it is not released) and hands each event it completes to
     * {@code listener}, in order.
     *
     * @throws IllegalStateException when a line or an event's data is longer than the limit
     */
    public void feed(ByteBuf chunk, DataListener listener) {
        int index = chunk.readerIndex();
        int end = chunk.writerIndex();
        if (skipLf && index < end) {
            skipLf = false;
            if (chunk.getByte(index) == LF) {
                index++; // second half of a CRLF split across chunks
            }
        }
        while (index < end) {
            int eol = lineEnd(chunk, index, end);
            if (eol < 0) {
                carryOver(chunk, index, end - index);
                break;
            }
            if (carry != null && carry.isReadable()) {
                carryOver(chunk, index, eol - index);
                line(carry, carry.readerIndex(), carry.writerIndex(), listener);
                carry.clear();
            } else {
                if (eol - index > maxLineBytes) {
                    throw tooLong();
                }
                line(chunk, index, eol, listener);
            }
            index = eol + 1;
            if (chunk.getByte(eol) == CR) {
                if (index < end) {
                    if (chunk.getByte(index) == LF) {
                        index++;
                    }
                } else {
                    skipLf = true;
                }
            }
        }
        chunk.readerIndex(end);
    }

    /** The first CR or LF in [from, to), or -1. */
    private static int lineEnd(ByteBuf buf, int from, int to) {
        int lf = buf.indexOf(from, to, LF);
        int cr = buf.indexOf(from, lf < 0 ? to : lf, CR);
        return cr >= 0 ? cr : lf;
    }

    private void carryOver(ByteBuf chunk, int from, int length) {
        if (carry == null) {
            carry = Unpooled.buffer(Math.max(256, length));
        }
        if (carry.readableBytes() + length > maxLineBytes) {
            throw tooLong();
        }
        carry.writeBytes(chunk, from, length);
    }

    private void line(ByteBuf buf, int from, int to, DataListener listener) {
        if (firstLine) {
            firstLine = false;
            if (to - from >= 3 && buf.getByte(from) == (byte) 0xEF && buf.getByte(from + 1) == (byte) 0xBB
                    && buf.getByte(from + 2) == (byte) 0xBF) {
                from += 3; // byte order mark
            }
        }
        if (from == to) {
            dispatch(listener);
            return;
        }
        if (buf.getByte(from) == ':') {
            return; // comment / keepalive
        }
        int colon = buf.indexOf(from, to, (byte) ':');
        int nameEnd = colon < 0 ? to : colon;
        if (nameEnd - from != 4 || buf.getByte(from) != 'd' || buf.getByte(from + 1) != 'a'
                || buf.getByte(from + 2) != 't' || buf.getByte(from + 3) != 'a') {
            return; // event:, id:, retry: and unknown fields are not needed
        }
        int value = colon < 0 ? to : colon + 1;
        if (value < to && buf.getByte(value) == ' ') {
            value++;
        }
        appendData(buf, value, to - value);
    }

    private void appendData(ByteBuf buf, int from, int length) {
        int needed = dataLength + length + 1;
        if (needed > maxLineBytes) {
            throw tooLong();
        }
        if (needed > data.length) {
            byte[] bigger = new byte[Math.min(maxLineBytes, Math.max(needed, data.length * 2))];
            System.arraycopy(data, 0, bigger, 0, dataLength);
            data = bigger;
        }
        buf.getBytes(from, data, dataLength, length);
        dataLength += length;
        data[dataLength++] = LF;
        dataSeen = true;
    }

    private void dispatch(DataListener listener) {
        if (!dataSeen) {
            return;
        }
        int length = dataLength - 1; // without the last line's LF
        dataLength = 0;
        dataSeen = false;
        listener.onData(data, length);
    }

    private IllegalStateException tooLong() {
        return new IllegalStateException("SSE line longer than " + maxLineBytes + " bytes");
    }
}
