package dev.streamchat.gateway.stream;

import dev.streamchat.gateway.socket.SocketEvents;

/**
 * The last event of a stream and how it is recorded.
 *
 * @param event   {@code chat-stream-complete} or {@code chat-stream-error}
 * @param payload its socket payload
 * @param status  the resume log's status: {@code complete}, {@code stopped} or {@code error}
 * @param success whether the contract state key is deleted (a good ending) or kept as {@code failed}
 * @param outcome the {@code chat.stream.duration} outcome tag
 */
public record FinalEvent(String event, Object payload, String status, boolean success, String outcome) {

    /** {@code chat-stream-complete} of a reply saved whole ({@code complete}) or stopped ({@code stopped}). */
    public static FinalEvent completed(Object payload, String status) {
        return new FinalEvent(SocketEvents.STREAM_COMPLETE, payload, status, true, status);
    }

    /** {@code chat-stream-error}. */
    public static FinalEvent failed(Object payload, String outcome) {
        return new FinalEvent(SocketEvents.STREAM_ERROR, payload, "error", false, outcome);
    }
}
