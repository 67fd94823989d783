package dev.streamchat.gateway.stream;

import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.StreamPayloads;
import tools.jackson.databind.JsonNode;

/**
 * The items of one resume-log batch and of one fan-out frame: a JSON array holding, from a given seq on, one item per
 * seq: a string is a token, an object {@code {"iteration","of","phase","title"}} a Deep Research progress event. The
 * relay writes them, and the socket resume, the SSE resume and the other nodes' fan-out read them back into the very
 * events the relay sent live, so a progress event replays in its place among the tokens like a token does.
 */
final class LoggedItems {

    /** A progress event as the log keeps it (the stream's ids and its seq are known from the entry). */
    record Progress(int iteration, int of, String phase, String title) {
    }

    /** Receives one item as the socket event it was live. */
    interface Sink {
        void accept(long seq, String event, Object payload);
    }

    private LoggedItems() {
    }

    /**
     * Turns each item of {@code items} (seq {@code firstSeq}, {@code firstSeq + 1}, …) into its socket event. Tokens are
     * encoded with {@code tokens} (not thread-safe: the caller serialises, as for the relay).
     */
    static void forEach(JsonNode items, long firstSeq, TokenEncoder tokens, Sink sink) {
        long seq = firstSeq;
        for (JsonNode item : items) {
            if (item.isObject()) {
                sink.accept(seq, SocketEvents.STREAM_PROGRESS, progress(tokens.sessionId(), tokens.streamId(), seq, item));
            } else {
                sink.accept(seq, SocketEvents.STREAM_TOKEN, tokens.encode(seq, item.asString()));
            }
            seq++;
        }
    }

    static StreamPayloads.Progress progress(String sessionId, String streamId, long seq, JsonNode item) {
        return new StreamPayloads.Progress(sessionId, streamId, seq, item.path("iteration").asInt(0),
                item.path("of").asInt(0), textOrNull(item.get("phase")), textOrNull(item.get("title")));
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }
}
