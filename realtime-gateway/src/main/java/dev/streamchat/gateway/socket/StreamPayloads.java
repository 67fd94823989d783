package dev.streamchat.gateway.socket;

import java.util.List;
import java.util.Map;

import dev.streamchat.gateway.error.ErrorCode;

/**
 * The stream events' payloads of contract section 3 as records, every key present (null when unknown). Tokens are
 * not here: they are {@link EncodedPayload}s built by the relay's token encoder.
 */
public final class StreamPayloads {

    private StreamPayloads() {
    }

    /** {@code chat-stream-start}. */
    public record Started(String sessionId, String streamId, String messageId, String clientRequestId)
            implements StreamPayload {
    }

    /**
     * {@code chat-stream-progress} (Deep Research): {@code seq} is taken from the stream's one seq space, so the
     * progress events and the tokens replay together in order, and {@code afterSeq} / {@code Last-Event-ID} cover both.
     */
    public record Progress(String sessionId, String streamId, long seq, int iteration, int of, String phase,
                           String title) implements StreamPayload {
    }

    /** {@code chat-stream-error}. */
    public record Failed(String sessionId, String streamId, Error error, boolean retryable) implements StreamPayload {

        public static Failed of(String sessionId, String streamId, ErrorCode code, String message) {
            return new Failed(sessionId, streamId, new Error(code.wireName(), message), code.retryable());
        }
    }

    /** The {@code error} member of {@code chat-stream-error}. */
    public record Error(String code, String message) {
    }

    /**
     * {@code chat-stream-complete}: after the reply was saved (or saved as stopped). {@code persisted} is false when
     * MongoDB did not take the reply in time: it is kept and written later, then {@code chat-session-saved} follows.
     * {@code provider} and {@code model} say what wrote the reply, as its stored version does (null when unknown).
     */
    public record Completed(String sessionId, String streamId, String messageId, String content, List<Object> citations,
                            List<Object> chunkReferences, Map<String, Object> usage, boolean stopped,
                            boolean contextTrimmed, Map<String, Object> quota, Timing timing, boolean persisted,
                            String provider, String model)
            implements StreamPayload {
    }

    /** The {@code timing} member of {@code chat-stream-complete}. */
    public record Timing(Long firstTokenMs, long durationMs, double tokensPerSecond) {
    }
}
