package dev.streamchat.gateway.stream;

import java.util.List;
import java.util.Map;

/** One event of the ai-service stream (contract section 1), decoded. */
public sealed interface AiStreamEvent {

    /** A piece of the answer, in order. */
    record Token(String content) implements AiStreamEvent {
    }

    /** The last event of a good stream; every field may be missing upstream (then null / empty). */
    record Done(String route, String provider, List<Object> citations, List<Object> chunkReferences,
                Map<String, Object> usage, boolean contextTrimmed) implements AiStreamEvent {
    }

    /** Deep Research: where the iterations are (relayed as {@code chat-stream-progress}, with a seq of its own). */
    record Progress(int iteration, int of, String phase, String title) implements AiStreamEvent {
    }

    /** The last event of a failed stream. */
    record Failure(String code, String message) implements AiStreamEvent {
    }
}
