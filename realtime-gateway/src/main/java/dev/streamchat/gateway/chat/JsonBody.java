package dev.streamchat.gateway.chat;

import java.util.regex.Pattern;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Strict reading of a small JSON request body: malformed JSON, a non-object, or a known field of the wrong
 * type is 400 {@code bad_request}; unknown fields are ignored (contract section 2).
 */
final class JsonBody {

    static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

    private final JsonNode node;

    private JsonBody(JsonNode node) {
        this.node = node;
    }

    /** @param optional whether an empty body means "{}" */
    static JsonBody parse(JsonMapper json, String body, boolean optional) {
        if (body == null || body.isBlank()) {
            if (optional) {
                return new JsonBody(json.createObjectNode());
            }
            throw badRequest("A JSON object body is required.");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            throw badRequest("The body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw badRequest("The body must be a JSON object.");
        }
        return new JsonBody(node);
    }

    /** A string field, or null when absent or null; any other type is 400. */
    String optionalString(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw badRequest("'" + field + "' must be a string.");
        }
        return value.asString();
    }

    boolean has(String field) {
        return node.has(field);
    }

    /** An optional id field matching {@code pattern}. */
    String optionalId(String field, Pattern pattern) {
        String value = optionalString(field);
        if (value != null && !pattern.matcher(value).matches()) {
            throw badRequest("'" + field + "' is not a valid id.");
        }
        return value;
    }

    static void requireId(String value, String what) {
        if (value == null || !ID.matcher(value).matches()) {
            throw badRequest("'" + what + "' is not a valid id.");
        }
    }

    static ApiException badRequest(String detail) {
        return new ApiException(ErrorCode.BAD_REQUEST, detail);
    }
}
