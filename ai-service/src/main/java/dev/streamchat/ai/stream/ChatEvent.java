package dev.streamchat.ai.stream;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.streamchat.ai.error.ErrorCode;

/**
 * One event of an answer stream, serialized as one SSE {@code data:} line (CONTRACT.md sections 1 and 6): any number
 * of {@link Token}s (and, in Deep Research, {@link Progress} events before each phase's tokens), then exactly one
 * {@link Done} or {@link Failure}.
 */
public sealed interface ChatEvent permits ChatEvent.Token, ChatEvent.Progress, ChatEvent.Done, ChatEvent.Failure {

    /** Whether this event ends the stream. */
    default boolean terminal() {
        return this instanceof Done || this instanceof Failure;
    }

    /** {@code {"type":"token","content":"Hel"}}: text in the order the model produced it, citations renumbered. */
    @JsonPropertyOrder({"type", "content"})
    record Token(String content) implements ChatEvent {
        @JsonProperty("type")
        public String type() {
            return "token";
        }
    }

    /**
     * Deep Research: phase {@code phase} ({@code plan}, {@code research} or {@code conclusion}) of iteration
     * {@code iteration} of {@code of} starts; its tokens follow. {@code of} is the planned number of iterations: the
     * cap until the plan is known, then the plan's count (it may shrink when the research concludes early).
     */
    @JsonPropertyOrder({"type", "iteration", "of", "phase", "title"})
    record Progress(int iteration, int of, String phase, String title) implements ChatEvent {
        @JsonProperty("type")
        public String type() {
            return "progress";
        }
    }

    /**
     * The last event of a good stream. {@code model} is the provider's model name ({@code gpt-4o}), null for the
     * local and synthetic providers.
     */
    @JsonPropertyOrder({"type", "route", "provider", "model", "citations", "chunkReferences", "usage", "contextTrimmed"})
    record Done(String route, String provider, String model, List<Citation> citations,
                List<ChunkReference> chunkReferences, Usage usage, boolean contextTrimmed) implements ChatEvent {
        @JsonProperty("type")
        public String type() {
            return "done";
        }
    }

    /** The last event of a failed stream; {@code message} is safe to show. */
    @JsonPropertyOrder({"type", "code", "message"})
    record Failure(ErrorCode code, String message) implements ChatEvent {
        @JsonProperty("type")
        public String type() {
            return "error";
        }
    }

    /** {@code citations[i]}: the passage behind marker {@code [number]} of the answer. */
    @JsonPropertyOrder({"number", "docId", "title", "page", "quote"})
    record Citation(int number, String docId, String title, Integer page, String quote) {
    }

    /** {@code chunkReferences[i]}: the chunk behind marker {@code [number]} and its retrieval score. */
    @JsonPropertyOrder({"number", "chunkId", "docId", "score"})
    record ChunkReference(int number, String chunkId, String docId, double score) {
    }

    /** Token counts: the provider's own when it reports them, else estimates. */
    @JsonPropertyOrder({"promptTokens", "completionTokens"})
    record Usage(int promptTokens, int completionTokens) {
    }
}
