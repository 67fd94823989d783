package dev.streamchat.ai.chat;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import dev.streamchat.ai.stream.ChatEvent;

/** The body of {@code POST /api/v1/semantic_search}: the answer and the fields of the stream's {@code done}. */
@JsonPropertyOrder({"answer", "route", "provider", "model", "citations", "chunkReferences", "usage", "contextTrimmed"})
public record SearchAnswer(String answer, String route, String provider, String model,
                           List<ChatEvent.Citation> citations,
                           List<ChatEvent.ChunkReference> chunkReferences, ChatEvent.Usage usage,
                           boolean contextTrimmed) {

    static SearchAnswer of(String answer, ChatEvent.Done done) {
        return new SearchAnswer(answer, done.route(), done.provider(), done.model(), done.citations(), done.chunkReferences(),
                done.usage(), done.contextTrimmed());
    }
}
