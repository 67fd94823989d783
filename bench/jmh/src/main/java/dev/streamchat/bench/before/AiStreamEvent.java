package dev.streamchat.bench.before;

// The gateway's class before issue 8, kept only here as the "before" of the benchmarks.

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

    /** The last event of a failed stream. */
    record Failure(String code, String message) implements AiStreamEvent {
    }
}
