package dev.streamchat.bench.before;

// The gateway's class before issue 8, kept only here as the "before" of the benchmarks.

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the {@code data:} of one SSE event into an {@link AiStreamEvent}. Tolerates unknown fields and a
 * {@code done} without {@code usage}, {@code route} or citations; an unknown {@code type} is skipped (null).
 */
public final class AiStreamEventDecoder {

    private final JsonMapper json;

    public AiStreamEventDecoder(JsonMapper json) {
        this.json = json;
    }

    /** @return the event, or null for an event type this gateway does not know */
    public AiStreamEvent decode(String data) {
        JsonNode node;
        try {
            node = json.readTree(data);
        } catch (JacksonException e) {
            throw new IllegalStateException("ai-service sent an event that is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalStateException("ai-service sent an event that is not a JSON object");
        }
        String type = text(node, "type");
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "token" -> new AiStreamEvent.Token(text(node, "content") == null ? "" : text(node, "content"));
            case "done" -> done(node);
            case "error" -> new AiStreamEvent.Failure(text(node, "code") == null ? "internal" : text(node, "code"),
                    text(node, "message"));
            default -> null;
        };
    }

    /** Decodes the body of the blocking {@code /semantic_search}: {@code answer} plus the done fields. */
    public AnswerAndDone decodeAnswer(JsonNode node) {
        String answer = text(node, "answer");
        return new AnswerAndDone(answer == null ? "" : answer, done(node));
    }

    /** The blocking endpoint's answer. */
    public record AnswerAndDone(String answer, AiStreamEvent.Done done) {
    }

    @SuppressWarnings("unchecked")
    private AiStreamEvent.Done done(JsonNode node) {
        List<Object> citations = list(node.get("citations"));
        List<Object> chunkReferences = list(node.get("chunkReferences"));
        JsonNode usageNode = node.get("usage");
        Map<String, Object> usage = usageNode != null && usageNode.isObject()
                ? json.convertValue(usageNode, LinkedHashMap.class) : null;
        JsonNode trimmed = node.get("contextTrimmed");
        return new AiStreamEvent.Done(text(node, "route"), text(node, "provider"), citations, chunkReferences, usage,
                trimmed != null && trimmed.isBoolean() && trimmed.booleanValue());
    }

    private List<Object> list(JsonNode node) {
        if (node == null || !node.isArray()) {
            return List.of();
        }
        List<Object> out = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            out.add(json.convertValue(item, Object.class));
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }
}
