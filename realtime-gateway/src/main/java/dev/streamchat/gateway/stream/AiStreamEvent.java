package dev.streamchat.gateway.stream;

import java.util.List;
import java.util.Map;

/** One event of the ai-service stream (contract section 1), decoded. */
public sealed interface AiStreamEvent {

    /** A piece of the answer, in order. */
    record Token(String content) implements AiStreamEvent {
    }

    /**
     * The last event of a good stream; every field may be missing upstream (then null / empty). {@code model} is the
     * model name the provider used ({@code gpt-4o-mini}), null for {@code local} and {@code synthetic}.
     */
    record Done(String route, String provider, String model, List<Object> citations, List<Object> chunkReferences,
                Map<String, Object> usage, boolean contextTrimmed) implements AiStreamEvent {

        /** A done without a model name (an ai-service older than contract section 6). */
        public Done(String route, String provider, List<Object> citations, List<Object> chunkReferences,
                    Map<String, Object> usage, boolean contextTrimmed) {
            this(route, provider, null, citations, chunkReferences, usage, contextTrimmed);
        }
    }

    /** Deep Research: where the iterations are (relayed as {@code chat-stream-progress}, with a seq of its own). */
    record Progress(int iteration, int of, String phase, String title) implements AiStreamEvent {
    }

    /** The last event of a failed stream. */
    record Failure(String code, String message) implements AiStreamEvent {
    }
}
