package dev.streamchat.gateway.stream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the {@code data:} of one SSE event into an {@link AiStreamEvent}. A token event (almost every event) is read
 * with Jackson's streaming parser straight from the UTF-8 bytes: only {@code type} and {@code content} are decoded,
 * everything else is skipped without building a tree. The rare {@code done}, {@code error} and {@code progress} events
 * are read as a tree. Tolerates unknown fields and a {@code done} without {@code usage}, {@code route} or citations; an unknown
 * {@code type} is skipped (null). Thread-safe.
 */
public final class AiStreamEventDecoder {

    private final JsonMapper json;

    public AiStreamEventDecoder(JsonMapper json) {
        this.json = json;
    }

    /** @return the event, or null for an event type this gateway does not know */
    public AiStreamEvent decode(byte[] data, int offset, int length) {
        String type = null;
        String content = null;
        try (JsonParser parser = json.createParser(data, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject();
            }
            String name;
            while ((name = parser.nextName()) != null) {
                JsonToken value = parser.nextToken();
                if (value.isStructStart()) {
                    parser.skipChildren();
                } else if ("type".equals(name)) {
                    type = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                } else if ("content".equals(name)) {
                    content = value == JsonToken.VALUE_NULL ? null : parser.getValueAsString();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw notAnObject();
            }
        } catch (JacksonException e) {
            throw new AiProtocolException("ai-service sent an event that is not JSON");
        }
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "token" -> new AiStreamEvent.Token(content == null ? "" : content);
            case "done", "error", "progress" -> decodeTree(data, offset, length);
            default -> null;
        };
    }

    /** Convenience for a whole event in a String (tests). */
    public AiStreamEvent decode(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return decode(bytes, 0, bytes.length);
    }

    private AiStreamEvent decodeTree(byte[] data, int offset, int length) {
        JsonNode node = json.readTree(data, offset, length);
        String type = text(node, "type");
        if ("done".equals(type)) {
            return done(node);
        }
        if ("progress".equals(type)) {
            return new AiStreamEvent.Progress(node.path("iteration").asInt(0), node.path("of").asInt(0),
                    text(node, "phase"), text(node, "title"));
        }
        return new AiStreamEvent.Failure(text(node, "code") == null ? "internal" : text(node, "code"),
                text(node, "message"));
    }

    private static AiProtocolException notAnObject() {
        return new AiProtocolException("ai-service sent an event that is not a JSON object");
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
        return new AiStreamEvent.Done(text(node, "route"), text(node, "provider"), text(node, "model"), citations,
                chunkReferences, usage,
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
