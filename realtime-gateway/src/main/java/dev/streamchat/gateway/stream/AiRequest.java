package dev.streamchat.gateway.stream;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code /semantic_search_stream} and {@code /semantic_search} (contract section 1, plus section 6's
 * {@code model}: an offered model id, null for the deployment's default, and {@code mode}: {@code deep_research} or
 * null).
 */
public record AiRequest(String userId, String className, String docId, String userQuery,
                        List<HistoryMessage> chatHistory, String route, String model, String mode) {

    /** Deep Research (contract section 6): several iterations in one stream. */
    public static final String DEEP_RESEARCH = "deep_research";

    /** A request for the default model in the ordinary answer mode. */
    public AiRequest(String userId, String className, String docId, String userQuery,
                     List<HistoryMessage> chatHistory, String route) {
        this(userId, className, docId, userQuery, chatHistory, route, null, null);
    }

    /** One earlier message of the conversation. */
    public record HistoryMessage(String role, String content) {
    }

    /** The wire form, with every key present (null when unknown). */
    public Map<String, Object> toWire() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("user_id", userId);
        body.put("class_name", className);
        body.put("doc_id", docId);
        body.put("user_query", userQuery);
        body.put("chat_history", chatHistory.stream()
                .map(m -> Map.of("role", m.role(), "content", m.content())).toList());
        body.put("source", "main_app");
        body.put("route", route);
        body.put("model", model);
        body.put("mode", mode);
        return body;
    }
}
