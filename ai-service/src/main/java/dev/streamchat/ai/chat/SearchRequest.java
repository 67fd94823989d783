package dev.streamchat.ai.chat;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of {@code POST /api/v1/semantic_search(_stream)} (CONTRACT.md section 1), as sent; {@link QuestionValidator}
 * checks it. Unknown fields are ignored. {@code model} (an id of {@code GET /api/v1/models}) and {@code mode}
 * ({@code "deep_research"}) are the additions of CONTRACT.md section 6; both may be null or absent.
 */
public record SearchRequest(@JsonProperty("user_id") String userId,
                            @JsonProperty("class_name") String className,
                            @JsonProperty("doc_id") String docId,
                            @JsonProperty("user_query") String userQuery,
                            @JsonProperty("chat_history") List<ChatTurn> chatHistory,
                            @JsonProperty("source") String source,
                            @JsonProperty("route") String route,
                            @JsonProperty("model") String model,
                            @JsonProperty("mode") String mode) {
}
